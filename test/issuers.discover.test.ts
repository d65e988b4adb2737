// What RemoteIssuer.discover and onRefused say when something is wrong: the origin asked and the
// class of each failure (never a token, a key or the response's text), the issuer the metadata
// names, and an iss refused told apart from an aud refused.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AuthManager, JwtConfigError, JwtError, RemoteIssuer, type RefusalEvent } from "trpc-jwt";
import { startServer } from "./helpers/httpServer.js";
import { rsaSigningKey, signAccessToken } from "./helpers/jwksServer.js";
import { HS256_SECRET } from "./helpers/keys.js";
import { HANG, startMetadataServer } from "./helpers/metadataServer.js";
import { rejectionOf } from "./helpers/rejection.js";
import { createRemoteApp, failure, remoteClient } from "./helpers/remoteApp.js";

const AUDIENCE = "https://api.example.test";
const OIDC = "/.well-known/openid-configuration";
const OAUTH = "/.well-known/oauth-authorization-server";

async function discoverError(issuer: string, timeoutDuration = 5_000): Promise<Error> {
  const error = await rejectionOf(RemoteIssuer.discover(issuer, { audience: AUDIENCE, timeoutDuration }));
  expect(error).toBeInstanceOf(Error);
  return error as Error;
}

describe("RemoteIssuer.discover errors name the origin and the cause", () => {
  it("unreachable: KEYS_UNAVAILABLE naming the origin", async () => {
    const gone = await startMetadataServer();
    await gone.close();
    const error = await discoverError(gone.origin);
    expect(error).toBeInstanceOf(JwtError);
    expect(error).toMatchObject({ code: "KEYS_UNAVAILABLE" });
    expect(error.message).toBe(`Signing keys are unavailable: no provider metadata from ${gone.origin} (${OIDC}: unreachable; ${OAUTH}: unreachable)`);
  });

  it("status 404, not JSON, timeout: each URL's cause", async () => {
    const server = await startMetadataServer(() => ({ [`/broken${OIDC}`]: "<html>502 Bad Gateway</html>", [`/slow${OIDC}`]: HANG, [`${OAUTH}/slow`]: HANG }));
    try {
      expect((await discoverError(server.origin)).message).toBe(
        `Signing keys are unavailable: no provider metadata from ${server.origin} (${OIDC}: status 404; ${OAUTH}: status 404)`,
      );
      expect((await discoverError(`${server.origin}/broken`)).message).toBe(
        `Signing keys are unavailable: no provider metadata from ${server.origin} (/broken${OIDC}: not JSON; ${OAUTH}/broken: status 404)`,
      );
      expect((await discoverError(`${server.origin}/slow`, 200)).message).toBe(
        `Signing keys are unavailable: no provider metadata from ${server.origin} (/slow${OIDC}: timeout; ${OAUTH}/slow: timeout)`,
      );
    } finally {
      await server.close();
    }
  });

  it("issuer mismatch: JwtConfigError quoting the metadata's issuer, shortened and escaped", async () => {
    const server = await startMetadataServer(() => ({
      [OIDC]: { issuer: "https://evil.example.test", jwks_uri: "https://evil.example.test/jwks" },
      [`/long${OIDC}`]: { issuer: `https://x.test/\u202e${"a".repeat(300)}`, jwks_uri: "https://x.test/jwks" },
      [`/none${OIDC}`]: { jwks_uri: "https://x.test/jwks" },
    }));
    try {
      const error = await discoverError(server.origin);
      expect(error).toBeInstanceOf(JwtConfigError);
      expect(error).toMatchObject({
        option: "issuer",
        message: `issuer: issuer mismatch: got "https://evil.example.test" in the metadata of ${server.origin}`,
      });
      const long = await discoverError(`${server.origin}/long`);
      expect(long.message).toBe(`issuer: issuer mismatch: got "https://x.test/\\u202e${"a".repeat(184)}..." in the metadata of ${server.origin}`);
      expect((await discoverError(`${server.origin}/none`)).message).toBe(`issuer: issuer mismatch: got no issuer in the metadata of ${server.origin}`);
    } finally {
      await server.close();
    }
  });
});

describe("onRefused tells a wrong iss from a wrong aud", () => {
  const key = rsaSigningKey("k1");
  const ISSUER = "https://idp.example.test/";
  const idp = new RemoteIssuer({ issuer: ISSUER, audience: AUDIENCE, keys: { keys: [key.publicJwk] } });
  const auth = new AuthManager({ issuer: "my-api", authType: "HS256", secret: HS256_SECRET });
  const events: RefusalEvent[] = [];
  let single: Awaited<ReturnType<typeof startServer>>;
  let mixed: Awaited<ReturnType<typeof startServer>>;
  beforeAll(async () => {
    const onRefused = (event: RefusalEvent) => void events.push(event);
    single = await startServer(createRemoteApp(idp, { onRefused }));
    mixed = await startServer(createRemoteApp([auth, idp], { onRefused }));
  });
  afterAll(async () => {
    await Promise.all([single.close(), mixed.close()]);
  });

  const token = (extra: Record<string, unknown>) => {
    const now = Math.floor(Date.now() / 1000);
    return signAccessToken(key, { iss: ISSUER, sub: "user-1", aud: AUDIENCE, iat: now, exp: now + 600, jti: randomUUID(), scope: "read", ...extra });
  };

  it.each([
    ["another aud", { aud: "https://other.example.test" }, "audience"],
    ["no aud", { aud: undefined }, "audience"],
    ["another iss", { iss: "https://evil.example.test/" }, "issuer"],
    ["an expired token", { exp: Math.floor(Date.now() / 1000) - 10 }, "expired"],
    ["no sub", { sub: undefined }, "claims"],
  ])("%s: the reason says which", async (_name, extra, reason) => {
    const signed = await token(extra);
    events.length = 0;
    const code = reason === "expired" ? "TOKEN_EXPIRED" : "TOKEN_INVALID";
    expect(await failure(remoteClient(single.url, signed).reports.query())).toMatchObject({ status: 401, jwtCode: code });
    expect(events).toEqual([{ code, reason, path: "reports" }]);
    expect(JSON.stringify(events)).not.toContain(signed.split(".")[2]!.slice(0, 24));
  });

  it("with several issuers, an iss none of them has is an issuer refusal too", async () => {
    events.length = 0;
    expect(await failure(remoteClient(mixed.url, await token({ iss: "https://evil.example.test/" })).reports.query())).toMatchObject({
      status: 401,
      jwtCode: "TOKEN_INVALID",
    });
    expect(await failure(remoteClient(mixed.url, await token({ aud: "https://other.example.test" })).reports.query())).toMatchObject({
      status: 401,
      jwtCode: "TOKEN_INVALID",
    });
    expect(events.map((event) => event.reason)).toEqual(["issuer", "audience"]);
  });
});
