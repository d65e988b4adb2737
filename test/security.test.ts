// The adversarial matrix over real HTTP on 127.0.0.1, with a careless errorFormatter that serialises
// `cause` and stack and an onError spy: every attack is refused with its documented code and status,
// nothing is a 500, and no token fragment, claim value, key or jose message reaches a response or log.
import { randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createTRPCClient, createWSClient, httpLink, wsLink } from "@trpc/client";
import { initTRPC } from "@trpc/server";
import { createHTTPHandler } from "@trpc/server/adapters/standalone";
import superjson from "superjson";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { WebSocket } from "ws";
import { z } from "zod";
import {
  AuthManager,
  createJwtContext,
  createJwtProcedures,
  JWT_ERRORS,
  JwtConfigError,
  jwtErrorFormatter,
  memoryStore,
  RemoteIssuer,
  unpinnedProcedures,
  type TokenStore,
} from "trpc-jwt";
import type { DiscoveryOptions } from "trpc-jwt/types";
import { bearerHeaders, createTokenStore, jwtErrorCode, refreshLink, wsConnectionParams } from "trpc-jwt/client";
import { ATTACKS, CANARY_CLAIM, type Attack, type Managers } from "./helpers/attacks.js";
import { idle, openSubscription } from "./helpers/endingSubscription.js";
import { forgeWith } from "./helpers/forge.js";
import { startServer } from "./helpers/httpServer.js";
import { rsaSigningKey, signAccessToken, startJwksServer, type JwksServer } from "./helpers/jwksServer.js";
import { fakeClock, HS256_SECRET, optionsFor, RSA_PRIVATE_PEM, RSA_PUBLIC_PEM } from "./helpers/keys.js";
import { highSTwin } from "./helpers/jwsCases.js";
import { startMetadataServer } from "./helpers/metadataServer.js";
import { rejectionOf } from "./helpers/rejection.js";
import { createRemoteApp, failure, remoteClient } from "./helpers/remoteApp.js";
import { hasRedisServer } from "./helpers/redisServer.js";
import { createTestApp } from "./helpers/testApp.js";
import { trpcRefusal } from "./helpers/trpcRefusal.js";
import { useRedisStores } from "./helpers/useRedisStores.js";
import { startHttpAndWsServer } from "./helpers/wsServer.js";

const managers: Managers = {
  HS256: new AuthManager(optionsFor("HS256", { maxTokenLength: 8192 })),
  RS256: new AuthManager(optionsFor("RS256")),
};
const logs: string[] = [];
const servers: Partial<Record<keyof Managers, { url: string; server: Server }>> = {};

const JOSE_TEXT = [
  "JWSSignatureVerificationFailed",
  "JWTClaimValidationFailed",
  "JWTExpired",
  "JWSInvalid",
  "JWTInvalid",
  "JOSEAlgNotAllowed",
  "JOSENotSupported",
  "ERR_JW",
  "ERR_JOSE",
  "signature verification failed",
  "timestamp check failed",
  "claim value",
  "Compact JWS",
  "not allowed",
  "Invalid JWT",
  "must be a",
];
const KEY_TEXT = [HS256_SECRET, RSA_PRIVATE_PEM.split("\n")[1] as string, RSA_PUBLIC_PEM.split("\n")[1] as string];

function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return [String(error), error.stack, JSON.stringify(error, Object.getOwnPropertyNames(error)), error.cause ? describeError(error.cause) : ""].join("\n");
}

beforeAll(async () => {
  for (const alg of ["HS256", "RS256"] as const) {
    const { router, createContext } = createTestApp(managers[alg], { exposeCause: true });
    const handler = createHTTPHandler({ router, createContext, onError: ({ error }) => void logs.push(describeError(error)) });
    // Node's default 16 KiB header limit would stop the 1 MiB token before trpc-jwt sees it.
    const server = createServer({ maxHeaderSize: 2 * 1024 * 1024 }, handler);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    servers[alg] = { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
  }
  for (const method of ["log", "info", "warn", "error", "debug"] as const) {
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => void logs.push(args.map(describeError).join(" ")));
  }
});
afterAll(async () => {
  vi.restoreAllMocks();
  for (const entry of Object.values(servers)) {
    entry.server.closeAllConnections();
    await new Promise<void>((resolve) => entry.server.close(() => resolve()));
  }
});

async function send(attack: Attack, headers: Record<string, string>) {
  const { url } = servers[attack.alg]!;
  const { path, input, type = "query" } = attack.procedure;
  const encoded = input === undefined ? "" : `?input=${encodeURIComponent(JSON.stringify({ json: input }))}`;
  return type === "query"
    ? fetch(`${url}/${path}${encoded}`, { headers })
    : fetch(`${url}/${path}`, { method: "POST", headers: { ...headers, "content-type": "application/json" }, body: JSON.stringify({ json: input ?? null }) });
}

/** The substrings of a request that must never come back: token segments, claim values, keys. */
function secretsOf(headers: Record<string, string>): string[] {
  const value = Object.values(headers).join(" ");
  const fragments = value.split(/[\s.,]+/).filter((part) => part.length >= 12 && !/^(Bearer|Basic|Token)$/i.test(part));
  return [...fragments.map((part) => part.slice(0, 24)), ...fragments.map((part) => part.slice(-24)), CANARY_CLAIM, "mallory-sub-7f3a", ...KEY_TEXT];
}

describe("adversarial matrix over HTTP", () => {
  it("has every case the security issue lists", () => {
    const names = ATTACKS.map((attack) => attack.name).join("\n");
    for (const needle of [
      'alg "none"',
      'alg "NONE"',
      "HS512 token against an HS256 key",
      "public key PEM as HMAC secret",
      "PS256",
      "RS512",
      "expired",
      "exp == now",
      "future nbf",
      "iat far in the future",
      "missing exp",
      "missing iat",
      "missing sub",
      "missing type",
      "not a safe integer",
      "issuer in another case",
      "trailing space",
      "issuer as an array",
      "refresh token on an auth procedure",
      "auth token on a refresh procedure",
      'type "AUTH"',
      'type "auth "',
      'type ["auth"]',
      "superadmin",
      'scope "true"',
      "scope 1 for true",
      "string claim vs number input",
      "case differs",
      "JWE",
      "1 MiB",
      "jku",
      "jwk",
      "x5u",
      "empty bearer",
      "garbage",
      "another scheme",
    ]) {
      expect(names).toContain(needle);
    }
  });

  it.each(ATTACKS.map((attack) => [attack.name, attack] as const))("%s", async (_name, attack) => {
    const headers = await attack.headers(managers);
    logs.length = 0;
    const response = await send(attack, headers);
    const body = await response.text();
    const info = JWT_ERRORS[attack.expect];
    expect(response.status).toBe(info.httpStatus);
    const { error } = JSON.parse(body) as { error: { json: { message: string; data: { code: string; jwtCode: string } } } };
    expect(error.json.data).toMatchObject({ code: info.trpcCode, jwtCode: attack.expect });
    expect(error.json.message).toBe(info.message);
    expect(logs.length).toBeGreaterThan(0); // onError saw the refusal, so the log check below has material
    const everything = [body, JSON.stringify([...response.headers]), ...logs].join("\n");
    for (const secret of secretsOf(headers)) expect(everything).not.toContain(secret);
    for (const text of JOSE_TEXT) expect(everything).not.toContain(text);
  });
});

describe("identity providers (issue #23)", () => {
  const ISSUER = "https://idp.example.test/";
  const AUDIENCE = "https://api.example.test";
  const DAY = 86_400;
  const key = rsaSigningKey("old");
  const nextKey = rsaSigningKey("new");
  let jwks: JwksServer;
  beforeAll(async () => {
    jwks = await startJwksServer([key]);
  });
  afterAll(() => jwks.close());

  const accessToken = (signer: typeof key, exp = 40 * DAY) => {
    const now = Math.floor(Date.now() / 1000);
    return signAccessToken(signer, { iss: ISSUER, sub: "user-1", aud: AUDIENCE, iat: now, exp: now + exp, scope: "read" });
  };
  /** An API on `idp`'s tokens with its clock, the provider publishing `key` again. */
  async function remoteApi(options: Partial<DiscoveryOptions> = {}) {
    jwks.release();
    jwks.publish([key]);
    const clock = fakeClock(Date.now());
    const idp = new RemoteIssuer({ issuer: ISSUER, jwksUri: jwks.url, audience: AUDIENCE, cooldownDuration: 1_000, clock: clock.now, ...options });
    const server = await startServer(createRemoteApp(idp));
    return { clock, server, reports: (token: string) => remoteClient(server.url, token).reports.query() };
  }

  describe("#23.2 a remote token does not outlive the key that signed it", () => {
    it("a cached token is refused right after the set that dropped its key loads", async () => {
      const { clock, server, reports } = await remoteApi();
      try {
        const old = await accessToken(key);
        for (let i = 0; i < 3; i++) await expect(reports(old)).resolves.toBe("reports"); // cached
        jwks.publish([nextKey]); // the provider removes the compromised key
        clock.advance(2);
        await expect(reports(await accessToken(nextKey))).resolves.toBe("reports"); // new kid: the set loads
        expect(await failure(reports(old))).toMatchObject({ status: 401, jwtCode: "TOKEN_INVALID" });
      } finally {
        await server.close();
      }
    });

    it("a cached token is refused 30 days later, with the clock moved and no other request", async () => {
      const { clock, server, reports } = await remoteApi();
      try {
        const old = await accessToken(key);
        for (let i = 0; i < 3; i++) await expect(reports(old)).resolves.toBe("reports");
        jwks.publish([nextKey]);
        clock.advance(30 * DAY);
        expect(await failure(reports(old))).toMatchObject({ status: 401, jwtCode: "TOKEN_INVALID" });
      } finally {
        await server.close();
      }
    });
  });

  describe("#23.3 discovery never leaves the issuer's host", () => {
    it.each(["//", "/\\"])("an issuer path starting with %s fetches nothing from the host it names", async (prefix) => {
      const evil = await startMetadataServer((origin) => ({ "/.well-known/openid-configuration": { issuer: "unused", jwks_uri: `${origin}/jwks` } }));
      const trusted = await startMetadataServer();
      const evilHost = new URL(evil.origin).host;
      try {
        const issuer = `${trusted.origin}${prefix}${evilHost}/`;
        const error = await rejectionOf(RemoteIssuer.discover(issuer, { audience: AUDIENCE }));
        expect(error).toMatchObject({ code: "KEYS_UNAVAILABLE" });
        expect(evil.paths).toEqual([]);
        expect(trusted.paths).toEqual([`//${evilHost}/.well-known/openid-configuration`, `/.well-known/oauth-authorization-server//${evilHost}`]);
      } finally {
        await Promise.all([evil.close(), trusted.close()]);
      }
    });
  });

  describe("#23 (also raised) a slow provider after cacheMaxAge", () => {
    it("a known kid is served at once while the set is fetched again, and a key that set drops is refused from then on", async () => {
      // A fetch that waited for this provider would wait a minute: longer than the test may run.
      const { clock, server, reports } = await remoteApi({ cacheMaxAge: 60_000, timeoutDuration: 60_000, cacheSize: 0 });
      try {
        await expect(reports(await accessToken(key))).resolves.toBe("reports");
        jwks.setMode("hold");
        clock.advance(61);
        const before = jwks.requests;
        await expect(reports(await accessToken(key))).resolves.toBe("reports");
        expect(jwks.requests).toBe(before + 1);
        expect(jwks.held).toBe(1); // the refetch is still out
        jwks.publish([nextKey]);
        jwks.release();
        // The set arrives in the background; from then on the dropped key verifies nothing.
        const old = await accessToken(key);
        await expect
          .poll(() =>
            reports(old).then(
              () => "served",
              (error: unknown) => (error as { data?: { jwtCode?: string } }).data?.jwtCode,
            ),
          )
          .toBe("TOKEN_INVALID");
      } finally {
        await server.close();
      }
    });

    it("past cacheMaxAge + maxStale, a request waits for the fetch: a dropped key is never served stale", async () => {
      const { clock, server, reports } = await remoteApi({ cacheMaxAge: 60_000, maxStale: 60_000, timeoutDuration: 60_000, cacheSize: 0 });
      try {
        const old = await accessToken(key);
        await expect(reports(old)).resolves.toBe("reports");
        jwks.setMode("hold");
        clock.advance(121);
        let settled = false;
        const call = failure(reports(old)).finally(() => (settled = true));
        await expect.poll(() => jwks.held).toBe(1);
        await new Promise((resolve) => setImmediate(resolve));
        expect(settled).toBe(false);
        jwks.publish([nextKey]);
        jwks.release();
        expect(await call).toMatchObject({ status: 401, jwtCode: "TOKEN_INVALID" });
      } finally {
        await server.close();
      }
    });
  });
});

// Issue #23, second outside review. Each section is an attack that succeeded on the code of the
// time, as the review ran it, through real servers on 127.0.0.1.
//
// The next two sections wait on real expiry and freshness timers, each test on its own server,
// managers and clock: they run concurrently (seconds of waiting in parallel, not one after another),
// asserting with their test's own `expect`. #23.4's expiring token lives under a second (0 to
// 1 s): its subscription must start before that, so #23.4 runs after them, alone, as before.

describe.concurrent("#23.1 a subscription inside the clock tolerance does not spin the event loop", () => {
  const TOLERANCE = 3;
  /** The wall clock, counting how often the issuer reads it: once a millisecond is a busy loop. */
  const countingClock = () => {
    const clock = { reads: 0, now: () => (clock.reads++, Date.now()) };
    return clock;
  };
  // Tokens already past `exp` (one second ago) but valid for 1-2 s more by the tolerance.
  const issuers = {
    AuthManager: async (clock: ReturnType<typeof countingClock>) => {
      const auth = new AuthManager(optionsFor("HS256", { clockTolerance: TOLERANCE, clock: clock.now }));
      const past = new AuthManager(optionsFor("HS256", { authMaxAge: 60, clock: () => Date.now() - 61_000 }));
      const token = await past.authToken("alice");
      return { issuer: auth, signed: token.signed, exp: token.exp, close: () => undefined };
    },
    RemoteIssuer: async (clock: ReturnType<typeof countingClock>) => {
      const key = rsaSigningKey();
      const jwks = await startJwksServer([key]);
      const issuer = "https://idp.example.test/";
      const idp = new RemoteIssuer({ issuer, jwksUri: jwks.url, audience: "https://api.example.test", clockTolerance: TOLERANCE, clock: clock.now });
      const exp = Math.floor(Date.now() / 1000) - 1;
      const signed = await signAccessToken(key, {
        iss: issuer,
        sub: "alice",
        aud: "https://api.example.test",
        iat: exp - 60,
        exp,
        jti: randomUUID(),
        client_id: "spa",
      });
      return { issuer: idp, signed, exp, close: () => jwks.close() };
    },
  };

  it.for(Object.keys(issuers) as (keyof typeof issuers)[])(
    "%s: the subscription ends with TOKEN_EXPIRED within 1 s after exp + clockTolerance, and its watch reads the clock a few times, not once a millisecond",
    async (kind, { expect }) => {
      const clock = countingClock();
      const { issuer, signed, exp, close } = await issuers[kind](clock);
      const createContext = createJwtContext(issuer);
      const t = initTRPC.context<typeof createContext>().create({ transformer: superjson, errorFormatter: jwtErrorFormatter });
      const { authedProcedure } = createJwtProcedures(t);
      const subscription = await openSubscription(t.router({ idle: authedProcedure.subscription(idle) }), createContext as never, signed);
      clock.reads = 0;
      const ending = await subscription.ending(5_000);
      const reads = clock.reads;
      await subscription.close();
      await close();
      if (typeof ending === "string") throw new Error(`the subscription ended as "${ending}"`);
      expect(ending.code).toBe("TOKEN_EXPIRED");
      const late = ending.atMs - (exp + TOLERANCE) * 1000;
      console.log(`#23.1 ${kind}: ended ${late} ms after exp + clockTolerance, ${reads} clock reads while open (bound: 1000 ms; 50 reads)`);
      expect(late).toBeGreaterThanOrEqual(0);
      expect(late).toBeLessThan(1000);
      expect(reads).toBeLessThan(50);
    },
  );
});

describe.concurrent("#23 (also raised) maxAuthAge holds for the whole life of a subscription", () => {
  const MAX_AUTH_AGE = 60;
  const auth = new AuthManager(optionsFor("HS256"));
  const createContext = createJwtContext(auth);
  const t = initTRPC.context<typeof createContext>().create({ transformer: superjson, errorFormatter: jwtErrorFormatter });
  const { authedProcedure, requireToken } = createJwtProcedures(t);
  const router = t.router({
    alone: t.procedure.use(requireToken({ maxAuthAge: MAX_AUTH_AGE })).subscription(idle),
    // The first guard already watches the token's lifetime; the second must still watch freshness.
    behindAnotherGuard: authedProcedure.use(requireToken({ maxAuthAge: MAX_AUTH_AGE })).subscription(idle),
    // A step-up guard (issue #30): its stale login ends the stream with the guard's own code.
    stepUp: authedProcedure.use(requireToken({ acr: ["urn:mfa"], maxAuthAge: MAX_AUTH_AGE })).subscription(idle),
  });

  it.for(["alone", "behindAnotherGuard", "stepUp"])(
    "%s: the subscription ends with TOKEN_NOT_FRESH (STEP_UP_REQUIRED beside acr) within 1 s of the moment the guard stops accepting its login",
    async (path, { expect }) => {
      // Logged in 59 s ago (by whole seconds): still fresh, for 1-2 s more.
      const past = new AuthManager(optionsFor("HS256", { clock: () => Date.now() - (MAX_AUTH_AGE - 1) * 1000 }));
      const { authToken } = await past.login("alice", undefined, undefined, { acr: "urn:mfa" });
      const subscription = await openSubscription(router, createContext as never, authToken.signed, { path });
      const ending = await subscription.ending(4_000);
      await subscription.close();
      if (typeof ending === "string") throw new Error(`the subscription ended as "${ending}"`);
      expect(ending.code).toBe(path === "stepUp" ? "STEP_UP_REQUIRED" : "TOKEN_NOT_FRESH");
      // isFresh counts whole seconds: fresh through the second auth_time + maxAuthAge.
      const late = ending.atMs - ((authToken.claims["auth_time"] as number) + MAX_AUTH_AGE + 1) * 1000;
      console.log(`#23 maxAuthAge (${path}): ended ${late} ms after the login grew too old (bound: 1000 ms)`);
      expect(late).toBeGreaterThanOrEqual(0);
      expect(late).toBeLessThan(1000);
    },
  );
});

describe("#23.4 a guard watches a subscription's token even when the app put it in ctx.token itself", () => {
  // The optional-auth pattern: an app middleware puts the caller's token (or null) in ctx.token,
  // and requireToken guards the subscription behind it.
  function appWithOptionalAuth(auth: AuthManager) {
    const createContext = createJwtContext(auth);
    const t = initTRPC.context<typeof createContext>().create({ transformer: superjson, errorFormatter: jwtErrorFormatter });
    const { requireToken } = createJwtProcedures(t);
    const withToken = t.middleware(async ({ ctx, next }) => next({ ctx: { token: await ctx.jwt.token().catch(() => null) } }));
    return { router: t.router({ idle: t.procedure.use(withToken).use(requireToken()).subscription(idle) }), createContext };
  }

  it("the subscription ends with TOKEN_EXPIRED when its token expires", async () => {
    const auth = new AuthManager(optionsFor("HS256", { authMaxAge: 1 }));
    const { router, createContext } = appWithOptionalAuth(auth);
    const token = await auth.authToken("alice");
    const subscription = await openSubscription(router, createContext as never, token.signed);
    const ending = await subscription.ending(4_000);
    await subscription.close();
    expect(ending).toMatchObject({ code: "TOKEN_EXPIRED" });
  });

  it("the subscription ends with TOKEN_REVOKED when its session is revoked", async () => {
    const auth = new AuthManager(optionsFor("HS256", { store: memoryStore() }));
    const { router, createContext } = appWithOptionalAuth(auth);
    const { authToken } = await auth.login("alice");
    const subscription = await openSubscription(router, createContext as never, authToken.signed);
    await auth.revokeSession(String(authToken.claims["sid"]));
    const ending = await subscription.ending(3_000);
    await subscription.close();
    expect(ending).toMatchObject({ code: "TOKEN_REVOKED" });
  });
});

describe("#23.6 refreshLink over wsLink without the webSocket option", () => {
  it("refreshes once, then fails every call with a message naming refreshLink({ webSocket }) instead of refreshing on every call", async () => {
    const clock = fakeClock(Date.now());
    const auth = new AuthManager(optionsFor("HS256", { clock: clock.now, authMaxAge: 60 }));
    const createContext = createJwtContext(auth);
    const t = initTRPC.context<typeof createContext>().create({ transformer: superjson, errorFormatter: jwtErrorFormatter });
    const { refreshProcedure, requireToken } = createJwtProcedures(t);
    let refreshes = 0;
    const router = t.router({
      whoami: t.procedure.use(requireToken()).query(({ ctx }) => ctx.token.sub),
      refresh: refreshProcedure.mutation(async ({ ctx }) => {
        refreshes++;
        return { authToken: (await auth.authToken(ctx.token.sub)).signed, refreshToken: (await auth.refreshToken(ctx.token.sub)).signed };
      }),
    });
    const server = await startHttpAndWsServer(router, createContext);
    const store = createTokenStore();
    store.setTokens({ authToken: (await auth.authToken("alice")).signed, refreshToken: (await auth.refreshToken("alice")).signed });
    const wsClient = createWSClient({ url: server.wsUrl, WebSocket: WebSocket as never, connectionParams: wsConnectionParams(store) });
    const refreshClient = createTRPCClient<typeof router>({
      links: [httpLink({ url: server.httpUrl, transformer: superjson, headers: bearerHeaders(store.getRefreshToken) })],
    });
    // The misconfiguration: no `webSocket`, so the link cannot reconnect the socket after a refresh.
    const client = createTRPCClient<typeof router>({
      links: [refreshLink({ store, refresh: () => refreshClient.refresh.mutate() }), wsLink({ client: wsClient, transformer: superjson })],
    });
    try {
      expect(await client.whoami.query()).toBe("alice");
      clock.advance(61);
      for (let call = 0; call < 6; call++) {
        const error = await rejectionOf(client.whoami.query());
        expect((error as Error).message).toContain("refreshLink({ webSocket })");
        expect(jwtErrorCode(error)).toBe("TOKEN_EXPIRED");
      }
      expect(refreshes).toBe(1);
    } finally {
      await wsClient.close();
      await server.close();
    }
  });
});

describe("#23 (also raised) several issuers share one rule namespace", () => {
  const idpKey = rsaSigningKey("idp");
  const IDP = "https://idp.example.test/";
  const idp = new RemoteIssuer({ issuer: IDP, audience: "https://api.example.test", keys: { keys: [idpKey.publicJwk] } });
  const auth = new AuthManager(optionsFor("HS256", { issuer: "my-api" }));
  const createContext = createJwtContext([auth, idp]);
  const t = initTRPC.context<typeof createContext>().create({ errorFormatter: jwtErrorFormatter });
  const { authedProcedure, requireToken } = createJwtProcedures(t);
  const byUser = authedProcedure.input(z.object({ user: z.string() }));
  const router = t.router({
    unpinned: byUser.use(requireToken({ input: { sub: "user" } })).query(() => "account"),
    pinned: byUser.use(requireToken({ issuer: auth, input: { sub: "user" } })).query(() => "account"),
    pinnedAdmin: authedProcedure.use(requireToken({ issuer: auth.issuer, scope: "admin", override: { root: true } })).query(() => "admin"),
    anyIssuer: authedProcedure.query(({ ctx }) => ctx.token.sub),
  });
  let server: Awaited<ReturnType<typeof startServer>>;
  beforeAll(async () => {
    server = await startServer({ router, createContext });
  });
  afterAll(() => server.close());

  // An identity provider's user who picked the username "alice", and a root claim it lets users set.
  const idpToken = () => {
    const now = Math.floor(Date.now() / 1000);
    return signAccessToken(idpKey, { iss: IDP, sub: "alice", aud: "https://api.example.test", iat: now, exp: now + 600, root: true });
  };
  const call = (path: string, token: string, input?: object) =>
    fetch(`${server.url}/${path}${input === undefined ? "" : `?input=${encodeURIComponent(JSON.stringify(input))}`}`, {
      headers: { authorization: `Bearer ${token}` },
    }).then(async (response) => ({
      status: response.status,
      jwtCode: ((await response.json()) as { error?: { data?: { jwtCode?: string } } }).error?.data?.jwtCode,
    }));

  it("a rule pinned to an issuer refuses another issuer's token that satisfies it, override included", async () => {
    const foreign = await idpToken();
    expect(await call("unpinned", foreign, { user: "alice" })).toEqual({ status: 200, jwtCode: undefined }); // what the pin is for
    expect(await call("pinned", foreign, { user: "alice" })).toEqual({ status: 403, jwtCode: "CLAIMS_MISMATCH" });
    expect(await call("pinnedAdmin", foreign)).toEqual({ status: 403, jwtCode: "CLAIMS_MISMATCH" });
    const own = (await auth.authToken("alice")).signed;
    expect(await call("pinned", own, { user: "alice" })).toEqual({ status: 200, jwtCode: undefined });
    expect(await call("pinnedAdmin", (await auth.authToken("root", undefined, { root: true })).signed)).toEqual({ status: 200, jwtCode: undefined });
  });

  it("unpinnedProcedures lists the rules that read claims with no issuer pin", () => {
    expect(unpinnedProcedures(router)).toEqual(["unpinned"]);
  });
});

describe("#23.5 an ECDSA token without jti cannot evade revoke through its signature's twin", () => {
  const auth = new AuthManager(optionsFor("ES256", { store: memoryStore() }));
  let server: Awaited<ReturnType<typeof startServer>>;
  beforeAll(async () => {
    server = await startServer(createTestApp(auth));
  });
  afterAll(() => server.close());
  const call = (token: string) =>
    fetch(`${server.url}/protectedRoute`, { headers: { authorization: `Bearer ${token}` } }).then(async (response) => ({
      status: response.status,
      jwtCode: ((await response.json()) as { error?: { json?: { data?: { jwtCode?: string } } } }).error?.json?.data?.jwtCode,
    }));

  it("revoke(token) refuses the high-S twin (s' = n - s) as well: a token without jti is known by its header and payload", async () => {
    const now = Math.floor(Date.now() / 1000);
    // Another issuer sharing the key signs without jti.
    const token = await forgeWith("ES256", { iss: auth.issuer, sub: "alice", iat: now, exp: now + 600, type: "auth" });
    const twin = highSTwin("ES256", token);
    expect(twin).not.toBe(token);
    expect(await call(twin)).toEqual({ status: 200, jwtCode: undefined }); // the twin verifies: no low-S rule anywhere
    await auth.revoke(token);
    expect(await call(token)).toEqual({ status: 401, jwtCode: "TOKEN_REVOKED" });
    expect(await call(twin)).toEqual({ status: 401, jwtCode: "TOKEN_REVOKED" });
    // And the other way round: revoking the twin revokes the token.
    const other = await forgeWith("ES256", { iss: auth.issuer, sub: "bob", iat: now, exp: now + 600, type: "auth" });
    await auth.revoke(highSTwin("ES256", other));
    expect(await call(other)).toEqual({ status: 401, jwtCode: "TOKEN_REVOKED" });
  });
});

describe("#23 (also raised) a manager never signs a token its own verifier refuses", () => {
  it("refuses at issue time, naming maxTokenLength, a token longer than it (a 6,000-character sub)", async () => {
    const auth = new AuthManager(optionsFor("HS256", { maxTokenLength: 8192, store: memoryStore() }));
    const sub = "a".repeat(6000);
    for (const issue of [() => auth.authToken(sub, undefined, { note: "b".repeat(100) }), () => auth.login(sub, undefined, { note: "b".repeat(100) })]) {
      const error = await issue().then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(JwtConfigError);
      expect(error).toMatchObject({
        option: "maxTokenLength",
        problem: expect.stringMatching(/^is 8192 characters, and this token would be \d{4,}: its verifier would refuse it/),
      });
    }
    // Just within the limit, the token is issued and its own verifier accepts it.
    const fits = await auth.authToken("a".repeat(5000));
    expect(fits.signed.length).toBeLessThanOrEqual(8192);
    expect((await auth.verifyToken(fits.signed)).sub).toBe(fits.sub);
  });
});

// Issue #23, "also raised", on the session methods: a JwtToken of another manager sharing the
// store, and a reused refresh token presented again and again.
function sessionAttacks(openStore: () => Promise<TokenStore>) {
  it("#23 rotate / revoke of another manager's JwtToken (sharing the store, same secret): TOKEN_INVALID, its session untouched", async () => {
    const store = await openStore();
    const own = new AuthManager(optionsFor("HS256", { store, issuer: "app-a" }));
    const other = new AuthManager(optionsFor("HS256", { store, issuer: "app-b" }));
    const pair = await own.login("alice");
    expect(await trpcRefusal(other.rotate(pair.refreshToken))).toMatchObject({ code: "UNAUTHORIZED", jwtCode: "TOKEN_INVALID" });
    expect(await trpcRefusal(other.revoke(pair.authToken))).toMatchObject({ code: "UNAUTHORIZED", jwtCode: "TOKEN_INVALID" });
    expect((await own.verifyToken(pair.authToken.signed)).sub).toBe("alice");
    expect((await own.rotate(pair.refreshToken)).authToken.sub).toBe("alice"); // not used up by the other manager
  });

  it("#23 a reused refresh token is TOKEN_REUSED every time, and its session is revoked and announced once", async () => {
    const store = await openStore();
    let revocations = 0;
    const counting: TokenStore = { ...store, revokeSession: (sid, expiresAtMs) => (revocations++, store.revokeSession(sid, expiresAtMs)) };
    const auth = new AuthManager(optionsFor("HS256", { store: counting }));
    const pair = await auth.login("alice");
    const next = await auth.rotate(pair.refreshToken);
    for (let i = 0; i < 5; i++) expect(await trpcRefusal(auth.rotate(pair.refreshToken.signed))).toMatchObject({ jwtCode: "TOKEN_REUSED" });
    expect(revocations).toBe(1);
    await expect(auth.verifyToken(next.authToken.signed)).rejects.toMatchObject({ code: "TOKEN_REVOKED" });
  });
}

describe("session attacks, memoryStore()", () => {
  sessionAttacks(async () => memoryStore());
});

describe.runIf(hasRedisServer())("session attacks, redisStore() on a real redis-server", () => {
  sessionAttacks(useRedisStores().open);
});
