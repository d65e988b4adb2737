// Issue 9's algorithms where node:crypto is missing (edge runtimes, issue #18): keys through Web
// Crypto alone, checks as the import runs, kid only from keyId.
import { describe, expect, it, vi } from "vitest";
import { AuthManager, JwtConfigError } from "trpc-jwt";
import { PAIRS, secretFor } from "./helpers/keys.js";
import { rejectionOf } from "./helpers/rejection.js";

vi.mock("../src/keys/nodeCrypto.js", () => ({ nodeCrypto: undefined }));

const headerOf = (signed: string) => JSON.parse(atob(signed.split(".")[0]!.replace(/-/g, "+").replace(/_/g, "/"))) as Record<string, unknown>;

describe("without node:crypto", () => {
  it.each(["ES256", "ES384", "ES512", "PS256", "RS384", "EdDSA", "HS384"] as const)("%s signs and verifies with PKCS#8 PEM (or a secret)", async (authType) => {
    const auth = new AuthManager({ issuer: "edge", authType, secret: secretFor(authType), keyId: "k1" });
    const token = await auth.authToken("alice");
    expect(headerOf(token.signed)).toEqual({ alg: authType, typ: "JWT", kid: "k1" });
    await expect(auth.verifyToken(token.signed, "auth")).resolves.toMatchObject({ sub: "alice" });
  });

  it("a key on another curve, or another pair's public key, rejects signing naming the option; verification refuses", async () => {
    const wrongCurve = new AuthManager({ issuer: "edge", authType: "ES384", secret: PAIRS["P-256"].privateKey });
    expect(await rejectionOf(wrongCurve.authToken("a"))).toMatchObject({ name: "JwtConfigError", option: "secret" });
    const mismatched = new AuthManager({ issuer: "edge", authType: "ES256", secret: PAIRS["P-256"].privateKey, publicKey: PAIRS["P-384"].publicKey });
    expect(await rejectionOf(mismatched.authToken("a"))).toMatchObject({ option: "publicKey" });
    const genuine = await new AuthManager({ issuer: "edge", authType: "ES256", secret: PAIRS["P-256"].privateKey }).authToken("a");
    expect(await rejectionOf(mismatched.verifyToken(genuine.signed))).toMatchObject({ code: "TOKEN_INVALID" });
  });

  it("an HMAC previous key with a publicKey is refused naming it, as on node:crypto (the two importers had drifted: this one ignored it)", () => {
    const secret = secretFor("HS256");
    expect(
      () => new AuthManager({ issuer: "edge", authType: "HS256", secret, previousKeys: [{ keyId: "old", secret, publicKey: PAIRS["P-256"].publicKey }] }),
    ).toThrow(expect.objectContaining({ name: "JwtConfigError", option: "previousKeys[0].publicKey" }));
  });

  it("previous keys need a keyId, found by kid; jwks() publishes them all once ready() has resolved", async () => {
    const base = { issuer: "edge", authType: "EdDSA" } as const;
    expect(() => new AuthManager({ ...base, secret: PAIRS.Ed25519.privateKey, previousKeys: [{ publicKey: PAIRS.Ed25519.publicKey }] })).toThrow(
      expect.objectContaining({ option: "previousKeys[0].keyId" }),
    );
    const old = new AuthManager({ ...base, secret: PAIRS.Ed25519.privateKey, keyId: "old" });
    const { privateKey } = (await crypto.subtle.generateKey({ name: "Ed25519" }, true, ["sign", "verify"])) as CryptoKeyPair;
    const rotated = new AuthManager({ ...base, secret: privateKey, keyId: "new", previousKeys: [{ keyId: "old", publicKey: PAIRS.Ed25519.publicKey }] });
    await expect(rotated.verifyToken((await old.authToken("alice")).signed)).resolves.toMatchObject({ sub: "alice" });
    await expect(rotated.verifyToken((await rotated.authToken("bob")).signed)).resolves.toMatchObject({ sub: "bob" });
    expect(() => new AuthManager({ ...base, secret: privateKey, keyId: "new" }).jwks()).toThrow(JwtConfigError);
    await rotated.ready();
    expect(rotated.jwks().keys.map((key) => key.kid)).toEqual(["new", "old"]);
  });

  it.each(["ES256", "EdDSA"] as const)(
    "a verify-only %s manager (publicKey, no secret) verifies, publishes once ready, and refuses to sign naming secret",
    async (authType) => {
      const pair = authType === "EdDSA" ? PAIRS.Ed25519 : PAIRS["P-256"];
      const full = new AuthManager({ issuer: "edge", authType, secret: pair.privateKey, keyId: "k1" });
      const verifier = new AuthManager({ issuer: "edge", authType, publicKey: pair.publicKey, keyId: "k1" });
      await expect(verifier.verifyToken((await full.authToken("alice")).signed, "auth")).resolves.toMatchObject({ sub: "alice" });
      await verifier.ready();
      await full.ready();
      expect(verifier.jwks()).toEqual(full.jwks());
      expect(await rejectionOf(verifier.authToken("alice"))).toMatchObject({ name: "JwtConfigError", option: "secret" });
      // A publicKey Web Crypto refuses rejects ready() naming publicKey.
      const wrongCurve = new AuthManager({ issuer: "edge", authType: "ES384", publicKey: PAIRS["P-256"].publicKey, keyId: "k1" });
      expect(await rejectionOf(wrongCurve.ready())).toMatchObject({ name: "JwtConfigError", option: "publicKey" });
    },
  );

  it("an HMAC secret that is a key is still refused, DER included", () => {
    const der = atob(PAIRS["P-256"].publicKey.split("\n").slice(1, -2).join(""));
    for (const secret of [PAIRS["P-256"].publicKey, btoa(der), Uint8Array.from(der, (c) => c.charCodeAt(0))]) {
      expect(() => new AuthManager({ issuer: "edge", authType: "HS256", secret })).toThrow(expect.objectContaining({ option: "secret" }));
    }
  });
});
