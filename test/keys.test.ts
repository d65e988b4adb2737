// Issue 9: every key form each algorithm accepts, the kid of issued tokens, and cross-algorithm refusal.
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, webcrypto, type KeyObject } from "node:crypto";
import { SignJWT } from "jose";
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
    const thumbprint = await import("jose").then(({ calculateJwkThumbprint }) =>
      calculateJwkThumbprint(publicObject.export({ format: "jwk" }) as never, "sha256"),
    );
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
    for (const [authType, curve] of [
      ["ES256", "P-256"],
      ["ES384", "P-384"],
      ["ES512", "P-521"],
    ] as const) {
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

describe("kid selection (issue 9)", () => {
  const NEXT = generateKeyPairSync("ec", {
    namedCurve: "P-256",
    publicKeyEncoding: { type: "spki", format: "pem" },
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
  });
  const oldKey = PAIRS["P-256"];
  const base = { ...optionsFor("ES256"), cacheSize: 0 };
  const single = new AuthManager({ ...base, keyId: "old" });
  const rotated = new AuthManager({ ...base, secret: NEXT.privateKey, keyId: "new", previousKeys: [{ keyId: "old", publicKey: oldKey.publicKey }] });
  const sign = (pem: string, header: Record<string, unknown>) =>
    new SignJWT({ iss: "Flask_PyJWT", sub: "alice", type: "auth", iat: Math.floor(Date.now() / 1000), exp: Math.floor(Date.now() / 1000) + 60 })
      .setProtectedHeader({ alg: "ES256", typ: "JWT", ...header })
      .sign(createPrivateKey(pem));
  const codeOf = (auth: AuthManager, signed: string) =>
    auth.verifyToken(signed).then(
      () => "ok",
      (e: { code: string }) => e.code,
    );

  it("a token is checked with the key its kid names, current or previous", async () => {
    expect(await codeOf(rotated, await sign(NEXT.privateKey, { kid: "new" }))).toBe("ok");
    expect(await codeOf(rotated, await sign(oldKey.privateKey, { kid: "old" }))).toBe("ok");
    expect(await codeOf(rotated, (await single.authToken("alice")).signed)).toBe("ok");
  });
  it("a kid naming the other key than the one that signed is refused", async () => {
    expect(await codeOf(rotated, await sign(oldKey.privateKey, { kid: "new" }))).toBe("TOKEN_INVALID");
    expect(await codeOf(rotated, await sign(NEXT.privateKey, { kid: "old" }))).toBe("TOKEN_INVALID");
  });
  it("an unknown or non-string kid is TOKEN_INVALID, with one key or several", async () => {
    for (const kid of ["unknown", "", 7, null, ["old"], { kid: "old" }]) {
      expect(await codeOf(single, await sign(oldKey.privateKey, { kid })), JSON.stringify(kid)).toBe("TOKEN_INVALID");
      expect(await codeOf(rotated, await sign(NEXT.privateKey, { kid })), JSON.stringify(kid)).toBe("TOKEN_INVALID");
    }
  });
  it("a token without kid is checked with the current key only", async () => {
    expect(await codeOf(rotated, await sign(NEXT.privateKey, {}))).toBe("ok");
    expect(await codeOf(rotated, await sign(oldKey.privateKey, {}))).toBe("TOKEN_INVALID");
    expect(await codeOf(single, await sign(oldKey.privateKey, {}))).toBe("ok");
  });
  it("HMAC previous keys are found by their keyId", async () => {
    const OLD_SECRET = "an-old-hs256-secret-of-32-bytes!";
    const before = new AuthManager(optionsFor("HS256", { secret: OLD_SECRET, keyId: "s1" }));
    const after = new AuthManager(optionsFor("HS256", { keyId: "s2", previousKeys: [{ keyId: "s1", secret: OLD_SECRET }] }));
    expect(await codeOf(after, (await before.authToken("alice")).signed)).toBe("ok");
    expect(await codeOf(after, (await after.authToken("alice")).signed)).toBe("ok");
    // Without kid, only the current secret is tried.
    expect(await codeOf(after, (await new AuthManager(optionsFor("HS256", { secret: OLD_SECRET })).authToken("a")).signed)).toBe("TOKEN_INVALID");
  });
});

describe("auth.jwks() (issue 9)", () => {
  it("lists the public keys, current first, with kid, alg and use, and never a private member", () => {
    const previous = generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey;
    const auth = new AuthManager({ ...optionsFor("ES256"), previousKeys: [{ publicKey: previous }] });
    const { keys } = auth.jwks();
    expect(keys.map((key) => key.kid)).toEqual([auth.keyId, jwkThumbprintOf(previous)]);
    for (const key of keys) {
      expect(key).toMatchObject({ kty: "EC", crv: "P-256", alg: "ES256", use: "sig" });
      expect(Object.keys(key).sort()).toEqual(["alg", "crv", "kid", "kty", "use", "x", "y"]);
    }
    expect(Object.isFrozen(auth.jwks()) && Object.isFrozen(keys) && Object.isFrozen(keys[0])).toBe(true);
  });
  it.each(ASYMMETRIC)("%s: public members only", (alg) => {
    const { keys } = new AuthManager(optionsFor(alg)).jwks();
    const expected = alg === "EdDSA" ? ["crv", "kty", "x"] : alg.startsWith("ES") ? ["crv", "kty", "x", "y"] : ["e", "kty", "n"];
    expect(Object.keys(keys[0]!).sort()).toEqual([...expected, "alg", "kid", "use"].sort());
    expect(JSON.stringify(keys)).not.toMatch(/"(d|p|q|dp|dq|qi|k)"/);
  });
  it.each(["HS256", "HS384", "HS512"] as const)("%s managers have none to publish", (alg) => {
    expect(() => new AuthManager(optionsFor(alg)).jwks()).toThrow(expect.objectContaining({ name: "JwtConfigError", option: "jwks" }));
  });
});

function jwkThumbprintOf(key: KeyObject): string {
  const { crv, kty, x, y } = key.export({ format: "jwk" });
  return createHash("sha256").update(JSON.stringify({ crv, kty, x, y })).digest("base64url");
}

it("reads a PEM whose body is wrapped with a blank line before END (64n characters, as Web Crypto exports are often wrapped)", async () => {
  const { privateKey } = (await crypto.subtle.generateKey({ name: "Ed25519" }, true, ["sign", "verify"])) as CryptoKeyPair;
  const body = btoa(String.fromCharCode(...new Uint8Array(await crypto.subtle.exportKey("pkcs8", privateKey)))).replace(/.{64}/g, "$&\n");
  const auth = new AuthManager({ issuer: "api", authType: "EdDSA", secret: `-----BEGIN PRIVATE KEY-----\n${body}\n-----END PRIVATE KEY-----\n` });
  await expect(auth.verifyToken((await auth.authToken("alice")).signed)).resolves.toMatchObject({ sub: "alice" });
});
