// Verify-only managers (issue #22 item 7): a second service configured with the auth service's
// public key alone, no secret. It verifies the auth service's tokens over real HTTP with the typed
// client, guards as any manager does (scope, claims, input, type, revocation through a shared
// store), publishes its keys, and refuses every way of signing with JwtConfigError naming
// `secret`, before anything is read or used up. An HMAC manager still needs its secret.
import { generateKeyPairSync } from "node:crypto";
import { TRPCClientError } from "@trpc/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AuthManager, JwtConfigError, memoryStore, type AuthType } from "trpc-jwt";
import { bearer, clientFor, startServer } from "./helpers/httpServer.js";
import { pairFor } from "./helpers/keys.js";
import { rejectionOf } from "./helpers/rejection.js";
import { createTestApp, TEST_CLAIMS, TEST_SCOPE } from "./helpers/testApp.js";

const issuer = "auth-service";

/** What the call got: its value, or "<status> <jwtCode>". */
async function outcome(call: Promise<unknown>): Promise<unknown> {
  try {
    return await call;
  } catch (error) {
    expect(error).toBeInstanceOf(TRPCClientError);
    const { data } = error as { data?: { httpStatus?: number; jwtCode?: string } };
    return `${data?.httpStatus} ${data?.jwtCode}`;
  }
}

/** The JwtConfigError an issuing call rejected with. */
async function configErrorOf(call: Promise<unknown>): Promise<JwtConfigError> {
  const error = await rejectionOf(call);
  expect(error).toBeInstanceOf(JwtConfigError);
  return error as JwtConfigError;
}

describe.each(["ES256", "EdDSA"] as const)("a verify-only %s manager", (authType) => {
  const { privateKey, publicKey } = pairFor(authType);
  const store = memoryStore();
  // The auth service signs; the other service holds only the public key (and the shared store).
  const full = new AuthManager({ issuer, authType, secret: privateKey, store });
  const verifier = new AuthManager({ issuer, authType, publicKey, store });
  let server: Awaited<ReturnType<typeof startServer>>;
  beforeAll(async () => {
    server = await startServer(createTestApp(verifier));
  });
  afterAll(() => server.close());
  const client = (token: string) => clientFor(server.url, bearer(token));

  it("verifies the full manager's tokens over HTTP, and its guards work", async () => {
    const { signed } = await full.authToken("alice", TEST_SCOPE, TEST_CLAIMS);
    expect(await outcome(client(signed).requireAuthHeader.query())).toMatchObject({ sub: "alice", scope: TEST_SCOPE, claims: TEST_CLAIMS });
    expect(await outcome(client(signed).requireAuthHasScope.query())).toMatchObject({ sub: "alice" });
    expect(await outcome(client(signed).requireAuthHasClaims.query())).toMatchObject({ sub: "alice" });
    expect(await outcome(client(signed).user.query({ username: "alice" }))).toBe("Hello, alice!");
    expect(await outcome(client(signed).user.query({ username: "bob" }))).toBe("403 CLAIMS_MISMATCH");
    expect(await outcome(client(signed).admin.query())).toBe("403 SCOPE_MISMATCH");
    const bare = await full.authToken("bob");
    expect(await outcome(client(bare.signed).requireAuthHasScope.query())).toBe("403 SCOPE_MISMATCH");
  });

  it("checks the type, the key and the issuer of a token", async () => {
    const refresh = await full.refreshToken("alice");
    expect(await outcome(client(refresh.signed).requireRefreshHeader.query())).toMatchObject({ sub: "alice" });
    expect(await outcome(client(refresh.signed).requireAuthHeader.query())).toBe("401 TOKEN_WRONG_TYPE");
    const otherKey = authType === "EdDSA" ? generateKeyPairSync("ed25519").privateKey : generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey;
    const forged = await new AuthManager({ issuer, authType, secret: otherKey }).authToken("mallory");
    expect(await outcome(client(forged.signed).requireAuthHeader.query())).toBe("401 TOKEN_INVALID");
    const elsewhere = await new AuthManager({ issuer: "another-service", authType, secret: privateKey }).authToken("mallory");
    expect(await outcome(client(elsewhere.signed).requireAuthHeader.query())).toBe("401 TOKEN_INVALID");
    expect(await outcome(client("not.a.token").requireAuthHeader.query())).toBe("401 TOKEN_INVALID");
  });

  it("honours revocation made by the full manager through the shared store", async () => {
    const { authToken } = await full.login("carol");
    expect(await outcome(client(authToken.signed).requireAuthHeader.query())).toMatchObject({ sub: "carol" });
    await full.revoke(authToken);
    expect(await outcome(client(authToken.signed).requireAuthHeader.query())).toBe("401 TOKEN_REVOKED");
  });

  it("has the full manager's key id and publishes the same JWK Set", () => {
    expect(verifier.keyId).toBe(full.keyId);
    expect(verifier.keyId).toEqual(expect.any(String));
    expect(verifier.jwks()).toEqual(full.jwks());
    expect(JSON.stringify(verifier.jwks())).not.toContain('"d"');
  });

  it("each issuing method rejects with JwtConfigError naming secret, and uses nothing up", async () => {
    const { refreshToken } = await full.login("dave");
    for (const call of [
      verifier.authToken("alice"),
      verifier.authToken("alice", TEST_SCOPE, TEST_CLAIMS),
      verifier.refreshToken("alice"),
      verifier.login("alice"),
      verifier.rotate(refreshToken),
      verifier.rotate(refreshToken.signed, { scope: TEST_SCOPE }),
    ]) {
      const error = await configErrorOf(call);
      expect(error.option).toBe("secret");
      expect(error.message).toMatch(/^secret: is needed to sign: .*publicKey without secret/);
      expect(error.message).not.toContain("BEGIN");
    }
    // The refused rotations did not use the refresh token up: the auth service still rotates it.
    const rotated = await full.rotate(refreshToken);
    expect(await outcome(client(rotated.authToken.signed).requireAuthHeader.query())).toMatchObject({ sub: "dave" });
  });

  it("with previousKeys, verifies the tokens of the old key too and publishes both", async () => {
    const next = authType === "EdDSA" ? generateKeyPairSync("ed25519") : generateKeyPairSync("ec", { namedCurve: "P-256" });
    const switched = new AuthManager({ issuer, authType, secret: next.privateKey, previousKeys: [{ publicKey }] });
    const rotatedVerifier = new AuthManager({ issuer, authType, publicKey: next.publicKey, previousKeys: [{ publicKey }] });
    await expect(rotatedVerifier.verifyToken((await switched.authToken("new")).signed, "auth")).resolves.toMatchObject({ sub: "new" });
    await expect(rotatedVerifier.verifyToken((await full.authToken("old")).signed, "auth")).resolves.toMatchObject({ sub: "old" });
    expect(rotatedVerifier.jwks()).toEqual(switched.jwks());
    expect(rotatedVerifier.jwks().keys.map((key) => key.kid)).toEqual([switched.keyId, full.keyId]);
  });
});

describe("what needs a secret still says so", () => {
  it.each(["HS256", "HS384", "HS512"] as const)("%s without secret fails at construction naming secret, publicKey or not", (authType) => {
    const bytes = Number(authType.slice(2)) / 8;
    expect(() => new AuthManager({ issuer, authType })).toThrow(
      new JwtConfigError("secret", `is missing: ${authType} signs and verifies with a shared secret of at least ${bytes} random bytes`),
    );
    expect(() => new AuthManager({ issuer, authType, publicKey: pairFor("ES256").publicKey })).toThrow(expect.objectContaining({ option: "secret" }));
  });

  it("an asymmetric manager with neither key: secret is missing, and the message tells how to only verify", () => {
    expect(() => new AuthManager({ issuer, authType: "ES256" })).toThrow(
      /^secret: is missing: the private key that signs ES256 tokens \(a service that only verifies: .*publicKey.*without secret\)$/,
    );
  });

  it("a secret given but undefined or empty is missing, never a silent verify-only manager", () => {
    for (const secret of [undefined, "", null]) {
      const options = { issuer, authType: "ES256" as AuthType, publicKey: pairFor("ES256").publicKey, secret: secret as never };
      expect(() => new AuthManager(options)).toThrow(expect.objectContaining({ name: "JwtConfigError", option: "secret" }));
    }
  });

  it("publicKey must still be a public key of the algorithm", () => {
    expect(() => new AuthManager({ issuer, authType: "ES256", publicKey: pairFor("ES256").privateKey })).toThrow(
      expect.objectContaining({ option: "publicKey" }),
    );
    expect(() => new AuthManager({ issuer, authType: "ES256", publicKey: pairFor("EdDSA").publicKey })).toThrow(
      expect.objectContaining({ option: "publicKey" }),
    );
  });

  it("the Quick start's missing JWT_SECRET says what belongs there", () => {
    expect(() => AuthManager.fromEnv({ JWT_ISSUER: "my-api", JWT_AUTHTYPE: "HS256" })).toThrow(
      new JwtConfigError("JWT_SECRET", "is missing: HS256 signs and verifies with a shared secret of at least 32 random bytes"),
    );
    expect(() => AuthManager.fromEnv({ JWT_ISSUER: "my-api", JWT_AUTHTYPE: "EdDSA", JWT_PUBLICKEY: pairFor("EdDSA").publicKey })).toThrow(
      /^JWT_SECRET: is missing: the private key/,
    );
  });
});
