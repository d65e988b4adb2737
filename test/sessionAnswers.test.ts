// #22.1-2: the manager's session methods called in plain procedures (no guard, no error handling
// of the app's own) answer the caller with their code: 401 for refusals, 503 STORE_UNAVAILABLE for
// a store that cannot be reached, never 500; over real HTTP with the typed client, and
// server-side through createCaller; with memoryStore() and with a real redis-server.
import { TRPCClientError, createTRPCClient, httpLink } from "@trpc/client";
import { initTRPC, TRPCError } from "@trpc/server";
import superjson from "superjson";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AuthManager, createJwtContext, createJwtProcedures, JwtError, memoryStore, type JwtErrorCode, type TokenStore } from "trpc-jwt";
import { jwtErrorAction, jwtErrorCode, type JwtErrorAction } from "trpc-jwt/client";
import { testContext } from "trpc-jwt/testing";
import { failingStore } from "./helpers/failingStore.js";
import { startServer } from "./helpers/httpServer.js";
import { optionsFor } from "./helpers/keys.js";
import { hasRedisServer } from "./helpers/redisServer.js";
import { rejectionOf } from "./helpers/rejection.js";
import { createSessionApp, type SessionRouter } from "./helpers/sessionApp.js";
import { useRedisStores } from "./helpers/useRedisStores.js";

const ACTIONS: Partial<Record<JwtErrorCode, JwtErrorAction>> = {
  TOKEN_REUSED: "login",
  TOKEN_REVOKED: "login",
  TOKEN_EXPIRED: "refresh",
  TOKEN_INVALID: "login",
  TOKEN_WRONG_TYPE: "login",
  STORE_UNAVAILABLE: "retry-later",
};
const STATUS: Partial<Record<JwtErrorCode, number>> = { STORE_UNAVAILABLE: 503 };

/** The app over HTTP (typed client) and server-side (createCaller), on one manager. */
async function serve(auth: AuthManager) {
  const app = createSessionApp(auth);
  const server = await startServer(app);
  const client = createTRPCClient<SessionRouter>({ links: [httpLink({ url: server.url, transformer: superjson })] });
  const caller = app.router.createCaller(await testContext(auth));
  return { server, client, caller };
}

/** A refusal as the client sees it: status and code, and what jwtErrorCode / jwtErrorAction read. */
async function overHttp(call: Promise<unknown>) {
  const error = await rejectionOf(call);
  expect(error).toBeInstanceOf(TRPCClientError);
  const data = (error as TRPCClientError<SessionRouter>).data as { httpStatus: number; jwtCode?: string };
  return { status: data.httpStatus, jwtCode: data.jwtCode, code: jwtErrorCode(error), action: jwtErrorAction(error) };
}

/** A refusal as a server-side caller sees it: a TRPCError whose cause is the JwtError. */
async function serverSide(call: Promise<unknown>) {
  const error = await rejectionOf(call);
  expect(error).toBeInstanceOf(TRPCError);
  const cause = (error as TRPCError).cause;
  expect(cause).toBeInstanceOf(JwtError);
  return { status: STATUS[(cause as JwtError).code] ?? 401, jwtCode: (cause as JwtError).code, code: jwtErrorCode(error), action: jwtErrorAction(error) };
}

const expected = (code: JwtErrorCode) => ({ status: STATUS[code] ?? 401, jwtCode: code, code, action: ACTIONS[code] });

function answers(openStore: () => Promise<TokenStore>) {
  let auth: AuthManager;
  let app: Awaited<ReturnType<typeof serve>>;
  const past = new AuthManager(optionsFor("HS256", { refreshMaxAge: 60, clock: () => Date.now() - 86_400_000 }));
  const stranger = new AuthManager(optionsFor("HS256", { secret: "another-secret-of-at-least-32-bytes" }));
  beforeAll(async () => {
    auth = new AuthManager(optionsFor("HS256", { store: await openStore() }));
    app = await serve(auth);
  });
  afterAll(() => app.server.close());

  // Each case makes a fresh refresh token in its state: a second presentation would be reuse.
  const cases: [JwtErrorCode, () => Promise<string>][] = [
    [
      "TOKEN_REUSED",
      async () => {
        const { refreshToken } = await auth.login("alice");
        await auth.rotate(refreshToken);
        return refreshToken.signed;
      },
    ],
    [
      "TOKEN_REVOKED",
      async () => {
        const { refreshToken } = await auth.login("alice");
        await auth.revokeSession(String(refreshToken.claims["sid"]));
        return refreshToken.signed;
      },
    ],
    ["TOKEN_EXPIRED", async () => (await past.login("alice")).refreshToken.signed],
    ["TOKEN_INVALID", async () => (await stranger.login("alice")).refreshToken.signed],
    ["TOKEN_WRONG_TYPE", async () => (await auth.login("alice")).authToken.signed],
  ];

  it.each(cases)("rotate in a plain procedure: %s is 401 with its code, read by jwtErrorCode / jwtErrorAction on both sides", async (code, make) => {
    expect(await overHttp(app.client.rotate.mutate({ refresh: await make() }))).toEqual(expected(code));
    expect(await serverSide(app.caller.rotate({ refresh: await make() }))).toEqual(expected(code));
  });

  it("login and rotate in plain procedures still work", async () => {
    const pair = await app.client.login.mutate({ sub: "alice" });
    const next = await app.client.rotate.mutate({ refresh: pair.refreshToken });
    expect((await auth.verifyToken(next.authToken, "auth")).sub).toBe("alice");
  });
}

describe("session methods in plain procedures, memoryStore()", () => {
  answers(async () => memoryStore());

  it("a store that cannot be reached: login, rotate, revokeSubject are 503 STORE_UNAVAILABLE, on both sides", async () => {
    const auth = new AuthManager(optionsFor("HS256", { store: failingStore() }));
    const app = await serve(auth);
    try {
      const { refreshToken } = await new AuthManager(optionsFor("HS256")).login("alice");
      expect(await overHttp(app.client.login.mutate({ sub: "alice" }))).toEqual(expected("STORE_UNAVAILABLE"));
      expect(await overHttp(app.client.rotate.mutate({ refresh: refreshToken.signed }))).toEqual(expected("STORE_UNAVAILABLE"));
      expect(await overHttp(app.client.revokeSubject.mutate({ sub: "alice" }))).toEqual(expected("STORE_UNAVAILABLE"));
      expect(await serverSide(app.caller.login({ sub: "alice" }))).toEqual(expected("STORE_UNAVAILABLE"));
      expect(await serverSide(app.caller.rotate({ refresh: refreshToken.signed }))).toEqual(expected("STORE_UNAVAILABLE"));
    } finally {
      await app.server.close();
    }
  });
});

describe.runIf(hasRedisServer())("session methods in plain procedures, redisStore() on a real redis-server", () => {
  const redis = useRedisStores();
  answers(redis.open);

  it("Redis stopped: login and rotate are 503 STORE_UNAVAILABLE, never 500, on both sides; normal again after the restart", async () => {
    const auth = new AuthManager(optionsFor("HS256", { store: await redis.open() }));
    const app = await serve(auth);
    try {
      const pair = await app.client.login.mutate({ sub: "alice" });
      await redis.server().stop();
      try {
        expect(await overHttp(app.client.login.mutate({ sub: "alice" }))).toEqual(expected("STORE_UNAVAILABLE"));
        expect(await overHttp(app.client.rotate.mutate({ refresh: pair.refreshToken }))).toEqual(expected("STORE_UNAVAILABLE"));
        expect(await serverSide(app.caller.login({ sub: "alice" }))).toEqual(expected("STORE_UNAVAILABLE"));
        expect(await serverSide(app.caller.rotate({ refresh: pair.refreshToken }))).toEqual(expected("STORE_UNAVAILABLE"));
      } finally {
        await redis.server().start();
      }
    } finally {
      await app.server.close();
    }
  });
});

describe("session methods in guarded procedures", () => {
  it("onRefused reports rotate's refusal once, as made inside the procedure; the caller gets its TRPCError", async () => {
    const auth = new AuthManager(optionsFor("HS256", { store: memoryStore() }));
    const events: unknown[] = [];
    const createContext = createJwtContext(auth, { onRefused: (event) => void events.push(event) });
    const t = initTRPC.context<typeof createContext>().create();
    const { refreshProcedure } = createJwtProcedures(t);
    const router = t.router({ refresh: refreshProcedure.mutation(async ({ ctx }) => (await auth.rotate(ctx.token)).authToken.signed) });
    const { refreshToken } = await auth.login("alice");
    const caller = () =>
      router.createCaller(createContext({ req: new Request("http://localhost/", { headers: { authorization: `Bearer ${refreshToken.signed}` } }) }));
    await caller().refresh();
    expect(await serverSide(caller().refresh())).toEqual(expected("TOKEN_REUSED"));
    expect(events).toEqual([{ code: "TOKEN_REUSED", reason: "procedure", path: "refresh" }]);
  });
});
