// jwtErrorCode and jwtErrorAction on what callers really get: a TRPCError from createCaller
// (server components) and a TRPCClientError over real HTTP on 127.0.0.1, and what refreshLink
// does with each code (refresh, end the session, keep it, never re-send a 500).
import { createTRPCClient, httpLink, TRPCClientError } from "@trpc/client";
import { initTRPC, TRPCError } from "@trpc/server";
import superjson from "superjson";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { AuthManager, createJwtContext, createJwtProcedures, JWT_ERRORS, JwtError, jwtErrorFormatter, type JwtErrorCode } from "trpc-jwt";
import { bearerHeaders, createTokenStore, JWT_ERROR_ACTIONS, jwtErrorAction, jwtErrorCode, refreshLink } from "trpc-jwt/client";
import { startServer } from "./helpers/httpServer.js";
import { fakeClock, optionsFor } from "./helpers/keys.js";
import { rejectionOf } from "./helpers/rejection.js";

const clock = fakeClock(Date.now());
const auth = new AuthManager(optionsFor("HS256", { clock: clock.now, authMaxAge: 60 }));
const createContext = createJwtContext(auth);
const hits = { whoami: 0, refresh: 0, invite: 0, revoked: 0, sensitive: 0 };
const count = (name: keyof typeof hits) => t.middleware(({ next }) => (hits[name]++, next()));

/** A refusal as a guard makes it: the table's tRPC code and message, the JwtError as cause. */
const refused = (code: JwtErrorCode) => new TRPCError({ code: JWT_ERRORS[code].trpcCode, message: JWT_ERRORS[code].message, cause: new JwtError(code) });

const t = initTRPC.context<typeof createContext>().create({ transformer: superjson, errorFormatter: jwtErrorFormatter });
const { authedProcedure, refreshProcedure, requireToken } = createJwtProcedures(t);
let refreshOutcome: "ok" | JwtErrorCode = "ok";
const router = t.router({
  whoami: t.procedure
    .use(count("whoami"))
    .use(requireToken())
    .query(({ ctx }) => ctx.token.sub),
  admin: t.procedure.use(requireToken({ scope: "admin" })).query(() => "admin"),
  // The app's own check of another token (an invite link) fails: a 500 carrying a JwtError.
  invite: authedProcedure
    .use(count("invite"))
    .input((value) => value as string)
    .mutation(async ({ input }) => (await auth.verifyToken(input, "auth")).sub),
  revoked: authedProcedure.use(count("revoked")).query(() => {
    throw refused("TOKEN_REVOKED");
  }),
  sensitive: authedProcedure.use(count("sensitive")).mutation(() => {
    throw refused("TOKEN_NOT_FRESH");
  }),
  refresh: refreshProcedure.use(count("refresh")).mutation(async ({ ctx }) => {
    if (refreshOutcome !== "ok") throw refused(refreshOutcome);
    return { authToken: (await auth.authToken(ctx.token.sub)).signed };
  }),
});
type Router = typeof router;

// A server that tags every error caused by a JwtError, 500s included (trpc-jwt's formatter did
// before it tagged only refusals; a hand-written formatter may still): the client must not trust it.
const tagsEverything = initTRPC.context<typeof createContext>().create({
  transformer: superjson,
  errorFormatter: ({ shape, error }) => (error.cause instanceof JwtError ? { ...shape, data: { ...shape.data, jwtCode: error.cause.code } } : shape),
});
const looseRouter = tagsEverything.router({
  invite: tagsEverything.procedure
    .use(({ next }) => (hits.invite++, next()))
    .input((value) => value as string)
    .mutation(async ({ input }) => (await auth.verifyToken(input, "auth")).sub),
});

let server: Awaited<ReturnType<typeof startServer>>;
let looseServer: Awaited<ReturnType<typeof startServer>>;
beforeAll(async () => {
  server = await startServer({ router, createContext });
  looseServer = await startServer({ router: looseRouter, createContext });
});
afterAll(async () => {
  await server.close();
  await looseServer.close();
});
afterEach(() => {
  for (const key of Object.keys(hits) as (keyof typeof hits)[]) hits[key] = 0;
  refreshOutcome = "ok";
});

const bearerRequest = (token?: string) => new Request("http://127.0.0.1/", token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } });
const callerFor = (token?: string) => router.createCaller(createContext({ req: bearerRequest(token) }));
/** An auth token that expired a minute ago, made by moving the clock. */
async function expiredToken(sub = "alice"): Promise<string> {
  clock.advance(-120);
  try {
    return (await auth.authToken(sub)).signed;
  } finally {
    clock.advance(120);
  }
}

describe("jwtErrorCode and jwtErrorAction on a server-side TRPCError (createCaller)", () => {
  it("read the code of the JwtError that is the cause of a guard's refusal", async () => {
    const missing = await rejectionOf(callerFor().whoami());
    expect(missing).toBeInstanceOf(TRPCError);
    expect([jwtErrorCode(missing), jwtErrorAction(missing)]).toEqual(["TOKEN_MISSING", "login"]);
    const expired = await rejectionOf(callerFor(await expiredToken()).whoami());
    expect([jwtErrorCode(expired), jwtErrorAction(expired)]).toEqual(["TOKEN_EXPIRED", "refresh"]);
    const forbidden = await rejectionOf(callerFor((await auth.authToken("alice")).signed).admin());
    expect([jwtErrorCode(forbidden), jwtErrorAction(forbidden)]).toEqual(["SCOPE_MISMATCH", "forbidden"]);
    expect(await callerFor((await auth.authToken("alice", "admin")).signed).admin()).toBe("admin");
  });

  it("ignore a 500 whose cause is the app's own JwtError, and errors that are not refusals", async () => {
    const valid = (await auth.authToken("alice")).signed;
    const internal = await rejectionOf(callerFor(valid).invite(await expiredToken("invitee")));
    expect(internal).toMatchObject({ code: "INTERNAL_SERVER_ERROR", cause: { code: "TOKEN_EXPIRED" } });
    expect([jwtErrorCode(internal), jwtErrorAction(internal)]).toEqual([undefined, undefined]);
    expect(jwtErrorCode(new TRPCError({ code: "BAD_REQUEST", message: "x" }))).toBeUndefined();
    expect(jwtErrorCode(new JwtError("TOKEN_EXPIRED"))).toBeUndefined(); // bare: not (yet) the caller's refusal
    expect(jwtErrorCode(new TRPCError({ code: "UNAUTHORIZED", cause: Object.assign(new Error("x"), { code: "TOKEN_EXPIRED" }) }))).toBeUndefined();
    for (const value of [undefined, null, "TOKEN_EXPIRED", 401, {}]) expect(jwtErrorAction(value)).toBeUndefined();
  });
});

describe("jwtErrorCode and jwtErrorAction on a TRPCClientError over HTTP", () => {
  const plainClient = (url: string, token?: string) =>
    createTRPCClient<Router>({ links: [httpLink({ url, transformer: superjson, headers: bearerHeaders(() => token) })] });

  it("read the same codes and actions as on the server", async () => {
    const client = plainClient(server.url, await expiredToken());
    const expired = await rejectionOf(client.whoami.query());
    expect(expired).toBeInstanceOf(TRPCClientError);
    expect([jwtErrorCode(expired), jwtErrorAction(expired)]).toEqual(["TOKEN_EXPIRED", "refresh"]);
    const revoked = await rejectionOf(plainClient(server.url, (await auth.authToken("alice")).signed).revoked.query());
    expect([jwtErrorCode(revoked), jwtErrorAction(revoked)]).toEqual(["TOKEN_REVOKED", "login"]);
  });

  it("ignore a 500 that carries TOKEN_EXPIRED in its message and jwtCode", async () => {
    const client = createTRPCClient<typeof looseRouter>({ links: [httpLink({ url: looseServer.url, transformer: superjson })] });
    const error = (await rejectionOf(client.invite.mutate(await expiredToken("invitee")))) as TRPCClientError<typeof looseRouter>;
    expect(error.data).toMatchObject({ httpStatus: 500, code: "INTERNAL_SERVER_ERROR", jwtCode: "TOKEN_EXPIRED" });
    expect(error.message).toBe(JWT_ERRORS.TOKEN_EXPIRED.message);
    expect([jwtErrorCode(error), jwtErrorAction(error)]).toEqual([undefined, undefined]);
  });

  it("the action table covers every code and matches docs/client.md", () => {
    expect(JWT_ERROR_ACTIONS).toEqual({
      TOKEN_EXPIRED: "refresh",
      TOKEN_MISSING: "login",
      TOKEN_INVALID: "login",
      TOKEN_WRONG_TYPE: "login",
      TOKEN_REVOKED: "login",
      TOKEN_REUSED: "login",
      TOKEN_NOT_FRESH: "login",
      STEP_UP_REQUIRED: "step-up",
      CLAIMS_MISMATCH: "forbidden",
      SCOPE_MISMATCH: "forbidden",
      CSRF_MISMATCH: "forbidden",
      RATE_LIMITED: "retry-later",
      STORE_UNAVAILABLE: "retry-later",
      KEYS_UNAVAILABLE: "retry-later",
    });
  });
});

describe("refreshLink and the codes", () => {
  async function session(url = server.url) {
    const store = createTokenStore();
    const onLogout = vi.fn();
    const refreshClient = createTRPCClient<Router>({ links: [httpLink({ url, transformer: superjson, headers: bearerHeaders(store.getRefreshToken) })] });
    const client = createTRPCClient<Router>({
      links: [
        refreshLink({ store, refresh: () => refreshClient.refresh.mutate(), onLogout }),
        httpLink({ url, transformer: superjson, headers: bearerHeaders(store.getAuthToken) }),
      ],
    });
    store.setTokens({ authToken: (await auth.authToken("alice")).signed, refreshToken: (await auth.refreshToken("alice")).signed });
    return { store, client, onLogout };
  }

  it("a mutation failing with a 500 that looks like TOKEN_EXPIRED is not refreshed nor sent again", async () => {
    const store = createTokenStore();
    store.setTokens({ authToken: (await auth.authToken("alice")).signed, refreshToken: (await auth.refreshToken("alice")).signed });
    const refresh = vi.fn(async () => ({ authToken: (await auth.authToken("alice")).signed }));
    const onLogout = vi.fn();
    const client = createTRPCClient<typeof looseRouter>({
      links: [
        refreshLink({ store, refresh, onLogout }),
        httpLink({ url: looseServer.url, transformer: superjson, headers: bearerHeaders(store.getAuthToken) }),
      ],
    });
    const error = (await rejectionOf(client.invite.mutate(await expiredToken("invitee")))) as TRPCClientError<typeof looseRouter>;
    expect(error.data).toMatchObject({ httpStatus: 500, jwtCode: "TOKEN_EXPIRED" });
    expect(hits.invite).toBe(1);
    expect(refresh).not.toHaveBeenCalled();
    expect(onLogout).not.toHaveBeenCalled();
  });

  it("after a refused refresh the caller's TOKEN_EXPIRED says log in, not refresh", async () => {
    const { client, store, onLogout } = await session();
    clock.advance(61);
    refreshOutcome = "TOKEN_REUSED";
    const errors = await Promise.all([rejectionOf(client.whoami.query()), rejectionOf(client.whoami.query())]);
    for (const error of errors) expect([jwtErrorCode(error), jwtErrorAction(error)]).toEqual(["TOKEN_EXPIRED", "login"]);
    expect(hits.refresh).toBe(1);
    expect(onLogout).toHaveBeenCalledTimes(1);
    expect(store.getRefreshToken()).toBeUndefined();
  });

  it("a refresh the server could not check (503) keeps the session; the calls fail as retry-later", async () => {
    const { client, store, onLogout } = await session();
    const tokens = [store.getAuthToken(), store.getRefreshToken()];
    clock.advance(61);
    refreshOutcome = "STORE_UNAVAILABLE";
    const error = await rejectionOf(client.whoami.query());
    expect([jwtErrorCode(error), jwtErrorAction(error)]).toEqual(["TOKEN_EXPIRED", "retry-later"]);
    expect(onLogout).not.toHaveBeenCalled();
    expect([store.getAuthToken(), store.getRefreshToken()]).toEqual(tokens);
    refreshOutcome = "ok"; // the store is back: the next call refreshes and succeeds
    expect(await client.whoami.query()).toBe("alice");
    expect(hits.refresh).toBe(2);
  });

  it("TOKEN_REVOKED ends the session once, however many calls learn it, and never refreshes", async () => {
    const { client, store, onLogout } = await session();
    const errors = await Promise.all(Array.from({ length: 4 }, () => rejectionOf(client.revoked.query())));
    for (const error of errors) expect([jwtErrorCode(error), jwtErrorAction(error)]).toEqual(["TOKEN_REVOKED", "login"]);
    expect(hits).toMatchObject({ revoked: 4, refresh: 0 });
    expect(onLogout).toHaveBeenCalledTimes(1);
    expect([store.getAuthToken(), store.getRefreshToken()]).toEqual([undefined, undefined]);
  });

  it("TOKEN_NOT_FRESH keeps the session (the app asks for a fresh login) and is not re-sent", async () => {
    const { client, store, onLogout } = await session();
    const authToken = store.getAuthToken();
    const error = await rejectionOf(client.sensitive.mutate());
    expect([jwtErrorCode(error), jwtErrorAction(error)]).toEqual(["TOKEN_NOT_FRESH", "login"]);
    expect(hits).toMatchObject({ sensitive: 1, refresh: 0 });
    expect(onLogout).not.toHaveBeenCalled();
    expect(store.getAuthToken()).toBe(authToken);
    expect(await client.whoami.query()).toBe("alice");
  });
});
