// Resource-server mode over real HTTP through the typed tRPC client: a real OpenID provider's
// access tokens and our own AuthManager's tokens side by side (createJwtContext([auth, idp])),
// scope rules, key rotation, refusals, and every key-set failure as a 503 KEYS_UNAVAILABLE.
import { z } from "zod";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { AuthManager, createJwtContext, JwtConfigError, RemoteIssuer } from "trpc-jwt";
import { startServer } from "./helpers/httpServer.js";
import { rsaSigningKey, signAccessToken, startJwksServer, type JwksMode, type JwksServer } from "./helpers/jwksServer.js";
import { fakeClock, HS256_SECRET } from "./helpers/keys.js";
import { API_AUDIENCE, OTHER_AUDIENCE, startOidcProvider, type OidcProvider } from "./helpers/oidcProvider.js";
import { createRemoteApp as createApp, failure, remoteClient as client } from "./helpers/remoteApp.js";

// Counts the access-token claim checks: one per verification that reached the claims.
const claimChecks = vi.hoisted(() => ({ calls: 0 }));
vi.mock("../src/issuers/readAccessClaims.js", async (importOriginal) => {
  const original = await importOriginal<typeof import("../src/issuers/readAccessClaims.js")>();
  return {
    ...original,
    readAccessClaims: (...args: Parameters<typeof original.readAccessClaims>) => (claimChecks.calls++, original.readAccessClaims(...args)),
  };
});

describe("a real OpenID provider's access tokens over HTTP, beside our own tokens", () => {
  let provider: OidcProvider;
  let stranger: OidcProvider;
  let server: Awaited<ReturnType<typeof startServer>>;
  const auth = new AuthManager({ issuer: "my-api", authType: "HS256", secret: HS256_SECRET });

  beforeAll(async () => {
    [provider, stranger] = await Promise.all([startOidcProvider(), startOidcProvider()]);
    // cooldownDuration 0: the rotation test asks the JWKS again at once, as it would after 30 s.
    const idp = await RemoteIssuer.discover(provider.issuer, { audience: API_AUDIENCE, cooldownDuration: 0 });
    const { router, createContext } = createApp([auth, idp]);
    server = await startServer({ router, createContext });
  });
  afterAll(async () => {
    await server.close();
    await Promise.all([provider.close(), stranger.close()]);
  });

  it("passes the provider's token through guarded procedures and scope rules", async () => {
    const api = client(server.url, await provider.accessToken("read write"));
    await expect(api.whoami.query()).resolves.toEqual({ iss: provider.issuer, sub: "service-client", tokenType: "auth", scope: "read write" });
    await expect(api.reports.query()).resolves.toBe("reports");
    expect(await failure(api.admin.mutate())).toMatchObject({ status: 403, jwtCode: "SCOPE_MISMATCH" });
    await expect(client(server.url, await provider.accessToken("admin")).admin.mutate()).resolves.toBe("admin");
  });

  it("still passes our own tokens, picked by their iss", async () => {
    const api = client(server.url, (await auth.authToken("alice", "read")).signed);
    await expect(api.whoami.query()).resolves.toMatchObject({ iss: "my-api", sub: "alice" });
    await expect(api.reports.query()).resolves.toBe("reports");
  });

  it("refuses tokens for another audience, of an unknown issuer, or claiming one issuer signed by another", async () => {
    const otherAudience = await provider.accessToken("read", OTHER_AUDIENCE);
    expect(await failure(client(server.url, otherAudience).reports.query())).toMatchObject({ status: 401, jwtCode: "TOKEN_INVALID" });
    const unknownIssuer = await stranger.accessToken("read");
    expect(await failure(client(server.url, unknownIssuer).reports.query())).toMatchObject({ status: 401, jwtCode: "TOKEN_INVALID" });
    // Our iss on a token the provider's key signed: routed to our AuthManager, which refuses it.
    const mine = rsaSigningKey();
    const posing = await signAccessToken(mine, {
      iss: "my-api",
      sub: "alice",
      aud: API_AUDIENCE,
      iat: Math.floor(Date.now() / 1000),
      exp: Math.floor(Date.now() / 1000) + 60,
      type: "auth",
    });
    expect(await failure(client(server.url, posing).reports.query())).toMatchObject({ status: 401, jwtCode: "TOKEN_INVALID" });
  });

  it("verifies tokens signed after the provider rotates its key, without a restart", async () => {
    const before = await provider.accessToken("read");
    await expect(client(server.url, before).reports.query()).resolves.toBe("reports");
    provider.rotateKey();
    const after = await provider.accessToken("read");
    await expect(client(server.url, after).reports.query()).resolves.toBe("reports");
    await expect(client(server.url, before).reports.query()).resolves.toBe("reports");
  });

  it("verifies a remote token at most once per request, and not again once it is cached", async () => {
    const token = await provider.accessToken("read write");
    const batched = client(server.url, token, true);
    const start = claimChecks.calls;
    await expect(Promise.all([batched.whoami.query(), batched.reports.query(), batched.whoami.query()])).resolves.toHaveLength(3);
    expect(claimChecks.calls).toBe(start + 1);
    // Admitted to the verified-token cache on its second verification; from then on, none.
    await client(server.url, token).reports.query();
    expect(claimChecks.calls).toBe(start + 2);
    await client(server.url, token).reports.query();
    await client(server.url, token).whoami.query();
    expect(claimChecks.calls).toBe(start + 2);
  });
});

describe("key set failures over HTTP: 503 KEYS_UNAVAILABLE, never 401, never 500, never a token through", () => {
  const key = rsaSigningKey("k1");
  const ISSUER = "https://idp.example.test/";
  let jwks: JwksServer;
  beforeAll(async () => {
    jwks = await startJwksServer([key]);
  });
  afterAll(() => jwks.close());

  const token = () => {
    const now = Math.floor(Date.now() / 1000);
    return signAccessToken(key, { iss: ISSUER, sub: "user-1", aud: API_AUDIENCE, iat: now, exp: now + 600, scope: "read" });
  };
  async function appServer() {
    const idp = new RemoteIssuer({ issuer: ISSUER, jwksUri: jwks.url, audience: API_AUDIENCE, timeoutDuration: 300 });
    const { router, createContext } = createApp(idp);
    return startServer({ router, createContext });
  }

  it.each(["slow", "garbage", "huge", "private", "symmetric", "error"] satisfies JwksMode[])(
    "JWKS serving %s: 503, and the server keeps answering",
    async (mode) => {
      jwks.setMode(mode);
      const server = await appServer();
      try {
        const api = client(server.url, await token());
        expect(await failure(api.reports.query())).toEqual({ status: 503, jwtCode: "KEYS_UNAVAILABLE", message: "Signing keys are unavailable" });
        await expect(api.health.query()).resolves.toBe("ok");
      } finally {
        jwks.setMode("ok");
        await server.close();
      }
    },
  );

  it("JWKS unreachable: 503 KEYS_UNAVAILABLE for every caller", async () => {
    await jwks.stop();
    const server = await appServer();
    try {
      const before = jwks.requests;
      const api = client(server.url, await token());
      const failures = await Promise.all(Array.from({ length: 10 }, () => failure(api.reports.query())));
      expect(new Set(failures.map((f) => `${f.status} ${String(f.jwtCode)}`))).toEqual(new Set(["503 KEYS_UNAVAILABLE"]));
      expect(jwks.requests).toBe(before); // it was down: nothing arrived
    } finally {
      await jwks.start();
      await server.close();
    }
  });

  it("a flood of unknown kids over HTTP costs one JWKS request at most", async () => {
    const server = await appServer();
    try {
      await expect(client(server.url, await token()).reports.query()).resolves.toBe("reports");
      const before = jwks.requests;
      const now = Math.floor(Date.now() / 1000);
      const forged = await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          signAccessToken(key, { iss: ISSUER, sub: "x", aud: API_AUDIENCE, iat: now, exp: now + 60 }, { kid: `unknown-${i}` }),
        ),
      );
      const failures = await Promise.all(forged.map((signed) => failure(client(server.url, signed).reports.query())));
      expect(new Set(failures.map((f) => `${f.status} ${String(f.jwtCode)}`))).toEqual(new Set(["401 TOKEN_INVALID"]));
      expect(jwks.requests - before).toBeLessThanOrEqual(1);
    } finally {
      await server.close();
    }
  });
});

describe("createJwtContext with several issuers", () => {
  const auth = new AuthManager({ issuer: "my-api", authType: "HS256", secret: HS256_SECRET });
  const idp = new RemoteIssuer({ issuer: "https://idp.example.test/", jwksUri: "https://idp.example.test/jwks", audience: API_AUDIENCE });
  const optionOf = (make: () => unknown) => {
    try {
      make();
    } catch (error) {
      expect(error).toBeInstanceOf(JwtConfigError);
      return (error as JwtConfigError).option;
    }
    return expect.fail("accepted");
  };

  it("refuses an empty list, two issuers with the same iss, and what is not an issuer", () => {
    expect(optionOf(() => createJwtContext([]))).toBe("issuers");
    expect(optionOf(() => createJwtContext([auth, new AuthManager({ issuer: "my-api", authType: "HS256", secret: HS256_SECRET })]))).toBe("issuers");
    expect(optionOf(() => createJwtContext([idp, new RemoteIssuer({ issuer: idp.issuer, jwksUri: "https://idp.example.test/jwks", audience: "x" })]))).toBe(
      "issuers",
    );
    expect(optionOf(() => createJwtContext([auth, {} as AuthManager]))).toBe("issuers");
    expect(optionOf(() => createJwtContext(null as unknown as AuthManager))).toBe("issuers");
  });

  it("answers a token one issuer verified before from that issuer's cache, without reading its payload again", async () => {
    const clock = fakeClock(Date.now());
    const own = new AuthManager({ issuer: "my-api", authType: "HS256", secret: HS256_SECRET, clock: clock.now });
    const createContext = createJwtContext([own, idp]);
    const jwtOf = (token: string) => createContext({ req: new Request("http://127.0.0.1/trpc/me", { headers: { authorization: `Bearer ${token}` } }) }).jwt;
    const signed = (await own.authToken("alice")).signed;
    await jwtOf(signed).token();
    await jwtOf(signed).token(); // verified twice: now in the cache
    const parse = vi.spyOn(JSON, "parse");
    try {
      expect(await jwtOf(signed).token()).toMatchObject({ sub: "alice" });
      await expect(jwtOf(signed).token({ type: "refresh" })).rejects.toMatchObject({ code: "TOKEN_WRONG_TYPE" });
      clock.advance(own.authMaxAge);
      await expect(jwtOf(signed).token()).rejects.toMatchObject({ code: "TOKEN_EXPIRED" });
      expect(parse).not.toHaveBeenCalled();
    } finally {
      parse.mockRestore();
    }
  });

  it("answers from the cache through the manager's schemas: a token whose claims fail them stays refused", async () => {
    const typed = new AuthManager({ issuer: "my-api", authType: "HS256", secret: HS256_SECRET, claims: z.object({ org: z.string() }) });
    const createContext = createJwtContext([typed, idp]);
    const jwtOf = (token: string) => createContext({ req: new Request("http://127.0.0.1/trpc/me", { headers: { authorization: `Bearer ${token}` } }) }).jwt;
    // Same issuer and key, no schema: signs what the typed manager must refuse.
    const bad = (await new AuthManager({ issuer: "my-api", authType: "HS256", secret: HS256_SECRET }).authToken("alice", undefined, { org: 42 })).signed;
    const good = (await typed.authToken("alice", undefined, { org: "acme" })).signed;
    for (let i = 0; i < 3; i++) {
      await expect(jwtOf(bad).token()).rejects.toMatchObject({ code: "TOKEN_INVALID" });
      expect((await jwtOf(good).token()).claims.org).toBe("acme");
    }
  });

  it("refuses a token without a readable iss before any verifier sees it", async () => {
    const { router, createContext } = createApp([auth, idp]);
    const server = await startServer({ router, createContext });
    try {
      const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
      for (const payload of [b64({ sub: "a" }), b64({ iss: 7 }), "not-json", b64([1])]) {
        expect(await failure(client(server.url, `${b64({ alg: "HS256", typ: "JWT" })}.${payload}.c2ln`).reports.query())).toMatchObject({
          status: 401,
          jwtCode: "TOKEN_INVALID",
        });
      }
    } finally {
      await server.close();
    }
  });
});
