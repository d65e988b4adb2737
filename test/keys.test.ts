// Issue 9: every key form each algorithm accepts, the kid of issued tokens, and cross-algorithm refusal.
import { createPrivateKey, createPublicKey, webcrypto } from "node:crypto";
import { describe, expect, it } from "vitest";
import { AuthManager, type AuthManagerOptions, type AuthType } from "trpc-jwt";
import { ALGORITHMS, optionsFor, PAIRS, pairFor, RSA_PRIVATE_PEM } from "./helpers/keys.js";
import { rejectionOf } from "./helpers/rejection.js";

const ASYMMETRIC = ALGORITHMS.filter((alg) => !alg.startsWith("HS"));
const headerOf = (signed: string) => JSON.parse(Buffer.from(signed.split(".")[0]!, "base64url").toString()) as Record<string, unknown>;

function webCryptoParams(alg: AuthType): RsaHashedImportParams | EcKeyImportParams | Algorithm {
  const hash = `SHA-${alg.slice(2)}`;
  if (alg.startsWith("RS")) return { name: "RSASSA-PKCS1-v1_5", hash };
  if (alg.startsWith("PS")) return { name: "RSA-PSS", hash };
  if (alg.startsWith("ES")) return { name: "ECDSA", namedCurve: ({ ES256: "P-256", ES384: "P-384", ES512: "P-521" } as Record<string, string>)[alg]! };
  return { name: "Ed25519" };
}

async function roundTrip(options: AuthManagerOptions) {
  const auth = new AuthManager(options);
  const token = await auth.authToken("alice", { admin: true });
  // A second manager with only the default key form proves the signature is standard.
  const reference = new AuthManager(optionsFor(options.authType, { issuer: options.issuer }));
  await expect(reference.verifyToken(token.signed, "auth")).resolves.toMatchObject({ sub: "alice" });
  await expect(auth.verifyToken((await reference.authToken("bob")).signed, "auth")).resolves.toMatchObject({ sub: "bob" });
  return auth;
}

describe.each(ASYMMETRIC)("key forms under %s", (alg) => {
  const { privateKey: privatePem, publicKey: publicPem } = pairFor(alg);
  const privateObject = createPrivateKey(privatePem);
  const publicObject = createPublicKey(publicPem);
  const base = optionsFor(alg);

  it("PKCS#8 PEM, public key derived", () => roundTrip(base));
  it("PKCS#8 PEM as bytes, with an SPKI PEM public key", () => roundTrip({ ...base, secret: new TextEncoder().encode(privatePem), publicKey: publicPem }));
  it("private JWK object with a public JWK object", () =>
    roundTrip({ ...base, secret: privateObject.export({ format: "jwk" }), publicKey: publicObject.export({ format: "jwk" }) }));
  it("JWK JSON text with escaped-newline PEM public key (as environment variables carry them)", () =>
    roundTrip({ ...base, secret: JSON.stringify(privateObject.export({ format: "jwk" })), publicKey: publicPem.replace(/\n/g, "\\n") }));
  it("KeyObjects", () => roundTrip({ ...base, secret: privateObject, publicKey: publicObject }));
  it("CryptoKeys, non-extractable", async () => {
    const params = webCryptoParams(alg);
    const secret = await webcrypto.subtle.importKey("pkcs8", privateObject.export({ type: "pkcs8", format: "der" }), params, false, ["sign"]);
    const publicKey = await webcrypto.subtle.importKey("spki", publicObject.export({ type: "spki", format: "der" }), params, false, ["verify"]);
    await roundTrip({ ...base, secret, publicKey });
  });

  it("issues tokens whose kid is the RFC 7638 thumbprint of the public key, unless keyId is set", async () => {
    const thumbprint = await import("jose").then(({ calculateJwkThumbprint }) => calculateJwkThumbprint(publicObject.export({ format: "jwk" }) as never, "sha256"));
    const auth = new AuthManager(base);
    expect(auth.keyId).toBe(thumbprint);
    expect(headerOf((await auth.authToken("a")).signed)).toEqual({ alg, typ: "JWT", kid: thumbprint });
    const named = new AuthManager({ ...base, keyId: "2026-11" });
    expect(headerOf((await named.refreshToken("a")).signed)).toEqual({ alg, typ: "JWT", kid: "2026-11" });
  });
});

describe("RSA and EC key encodings", () => {
  it("PKCS#1 private and public PEM for RS384 and PS512", async () => {
    const key = createPrivateKey(RSA_PRIVATE_PEM);
    const secret = key.export({ type: "pkcs1", format: "pem" }).toString();
    const publicKey = createPublicKey(key).export({ type: "pkcs1", format: "pem" }).toString();
    for (const authType of ["RS384", "PS512"] as const) await roundTrip({ ...optionsFor(authType), secret, publicKey });
  });
  it("SEC1 private PEM for ES256, ES384 and ES512", async () => {
    for (const [authType, curve] of [["ES256", "P-256"], ["ES384", "P-384"], ["ES512", "P-521"]] as const) {
      const secret = createPrivateKey(PAIRS[curve].privateKey).export({ type: "sec1", format: "pem" }).toString();
      await roundTrip({ ...optionsFor(authType), secret });
    }
  });
});

describe("HMAC tokens carry no kid unless keyId is set", () => {
  it.each(["HS256", "HS384", "HS512"] as const)("%s", async (alg) => {
    expect(headerOf((await new AuthManager(optionsFor(alg)).authToken("a")).signed)).toEqual({ alg, typ: "JWT" });
    const named = new AuthManager(optionsFor(alg, { keyId: "k1" }));
    expect(named.keyId).toBe("k1");
    expect(headerOf((await named.authToken("a")).signed)).toEqual({ alg, typ: "JWT", kid: "k1" });
  });
});

describe("every algorithm's tokens are refused by the managers of every other algorithm", () => {
  // Same issuer; RSA managers even share one key pair, so only the pinned algorithm tells them apart.
  const managers = new Map<AuthType, AuthManager>(ALGORITHMS.map((alg) => [alg, new AuthManager(optionsFor(alg))]));
  it.each(ALGORITHMS)("%s tokens", async (alg) => {
    const { signed } = await managers.get(alg)!.authToken("alice");
    for (const [other, manager] of managers) {
      if (other === alg) {
        await expect(manager.verifyToken(signed, "auth")).resolves.toMatchObject({ sub: "alice" });
      } else {
        expect(await rejectionOf(manager.verifyToken(signed, "auth")), `${alg} token, ${other} manager`).toMatchObject({ code: "TOKEN_INVALID" });
      }
    }
  });
});
