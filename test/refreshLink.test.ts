// The client link over real HTTP on 127.0.0.1: one shared refresh, retries, logout, pass-through.
import { createTRPCClient, httpBatchLink, httpLink, TRPCClientError, type TRPCLink } from "@trpc/client";
import { initTRPC, TRPCError } from "@trpc/server";
import { observable } from "@trpc/server/observable";
import superjson from "superjson";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { AuthManager, createJwtContext, createJwtProcedures } from "trpc-jwt";
import { bearerHeaders, createTokenStore, jwtErrorAction, jwtErrorCode, refreshLink } from "trpc-jwt/client";
import { clientRefusal } from "./helpers/clientRefusal.js";
import { startServer } from "./helpers/httpServer.js";
import { fakeClock, optionsFor } from "./helpers/keys.js";

const clock = fakeClock(Date.now());
const auth = new AuthManager(optionsFor("HS256", { clock: clock.now, authMaxAge: 60 }));
const hits = { refresh: 0, whoami: 0, boom: 0, admin: 0 };

const createContext = createJwtContext(auth);
const t = initTRPC.context<typeof createContext>().create({ transformer: superjson });
const { authedProcedure, refreshProcedure, requireToken } = createJwtProcedures(t);
const count = (name: keyof typeof hits) => t.middleware(({ next }) => (hits[name]++, next()));
const router = t.router({
  whoami: t.procedure
    .use(count("whoami"))
    .use(requireToken())
    .query(({ ctx }) => ctx.token.sub),
  admin: t.procedure
    .use(count("admin"))
    .use(requireToken({ scope: "admin" }))
    .query(() => "admin"),
  boom: authedProcedure.use(count("boom")).mutation(() => {
    throw new TRPCError({ code: "BAD_REQUEST", message: "boom" });
  }),
  refresh: refreshProcedure.use(count("refresh")).mutation(async ({ ctx }) => ({ authToken: (await auth.authToken(ctx.token.sub)).signed })),
});
type Router = typeof router;

let server: Awaited<ReturnType<typeof startServer>>;
beforeAll(async () => {
  server = await startServer({ router, createContext });
});
afterAll(() => server.close());
afterEach(() => {
  for (const key of Object.keys(hits) as (keyof typeof hits)[]) hits[key] = 0;
});

async function session(terminal: "batch" | "single" = "single") {
  const store = createTokenStore();
  const onLogout = vi.fn();
  const refreshClient = createTRPCClient<Router>({
    links: [httpLink({ url: server.url, transformer: superjson, headers: bearerHeaders(store.getRefreshToken) })],
  });
  const makeTerminal = terminal === "batch" ? httpBatchLink : httpLink;
  const client = createTRPCClient<Router>({
    links: [
      refreshLink({ store, refresh: () => refreshClient.refresh.mutate(), onLogout }),
      makeTerminal({ url: server.url, transformer: superjson, headers: bearerHeaders(store.getAuthToken) }),
    ],
  });
  store.setTokens({ authToken: (await auth.authToken("alice")).signed, refreshToken: (await auth.refreshToken("alice")).signed });
  return { store, client, onLogout };
}

describe.each(["single", "batch"] as const)("refreshLink over HTTP (%s requests)", (terminal) => {
  it("N concurrent calls on an expired token cause exactly one refresh, and all N succeed", { timeout: 5000 }, async () => {
    const { client, store } = await session(terminal);
    const expired = store.getAuthToken();
    clock.advance(61);
    const N = 12;
    const results = await Promise.all(Array.from({ length: N }, () => client.whoami.query()));
    expect(results).toEqual(Array(N).fill("alice"));
    expect(hits.refresh).toBe(1);
    expect(hits.whoami).toBe(2 * N); // each call: one refused attempt, one retry
    expect(store.getAuthToken()).not.toBe(expired);
    expect(await client.whoami.query()).toBe("alice");
    expect(hits.refresh).toBe(1);
  });

  it("refreshes again each time the refreshed token expires in turn (three expiries, three refreshes)", { timeout: 10_000 }, async () => {
    const { client, store, onLogout } = await session(terminal);
    for (let expiry = 1; expiry <= 3; expiry++) {
      const expired = store.getAuthToken();
      clock.advance(61);
      expect(await client.whoami.query()).toBe("alice");
      expect(hits.refresh).toBe(expiry);
      expect(store.getAuthToken()).not.toBe(expired);
    }
    expect(onLogout).not.toHaveBeenCalled();
  });

  it("headers that never read the store again: one refresh, then calls fail naming the cause, with their code", { timeout: 10_000 }, async () => {
    const store = createTokenStore();
    store.setTokens({ authToken: (await auth.authToken("alice")).signed, refreshToken: (await auth.refreshToken("alice")).signed });
    const refreshClient = createTRPCClient<Router>({
      links: [httpLink({ url: server.url, transformer: superjson, headers: bearerHeaders(store.getRefreshToken) })],
    });
    const captured = store.getAuthToken() as string; // the misconfiguration: the token read once
    const makeTerminal = terminal === "batch" ? httpBatchLink : httpLink;
    const client = createTRPCClient<Router>({
      links: [
        refreshLink({ store, refresh: () => refreshClient.refresh.mutate() }),
        makeTerminal({ url: server.url, transformer: superjson, headers: { authorization: `Bearer ${captured}` } }),
      ],
    });
    clock.advance(61);
    for (let call = 0; call < 3; call++) {
      const error = (await client.whoami.query().catch((e: unknown) => e)) as TRPCClientError<Router>;
      expect(error.message).toContain("the headers must read the token store");
      expect(jwtErrorCode(error)).toBe("TOKEN_EXPIRED"); // no jwtErrorFormatter here: the code still reads
      expect(jwtErrorAction(error)).toBe("login");
    }
    expect(hits.refresh).toBe(1);
  });

  it("a failed refresh rejects every pending call and fires logout once", { timeout: 5000 }, async () => {
    const { client, store, onLogout } = await session(terminal);
    clock.advance(61);
    store.setTokens({ refreshToken: "not-a-valid-refresh-token" });
    const N = 6;
    const outcomes = await Promise.allSettled(Array.from({ length: N }, () => client.whoami.query()));
    for (const outcome of outcomes) {
      expect(outcome.status).toBe("rejected");
      const reason = (outcome as PromiseRejectedResult).reason as TRPCClientError<Router>;
      expect(reason).toBeInstanceOf(TRPCClientError);
      expect(jwtErrorCode(reason)).toBe("TOKEN_EXPIRED");
    }
    expect(hits.refresh).toBe(0); // the server refused the refresh token before the procedure ran
    expect(onLogout).toHaveBeenCalledTimes(1);
    expect(store.getAuthToken()).toBeUndefined();
    expect(store.getRefreshToken()).toBeUndefined();
  });

  it("passes non-auth errors through untouched, without a refresh or a retry", { timeout: 5000 }, async () => {
    const { client, onLogout } = await session(terminal);
    const forbidden = (await client.admin.query().catch((e: unknown) => e)) as TRPCClientError<Router>;
    expect(forbidden.data?.code).toBe("FORBIDDEN");
    expect(jwtErrorCode(forbidden)).toBe("SCOPE_MISMATCH");
    const boom = (await client.boom.mutate().catch((e: unknown) => e)) as TRPCClientError<Router>;
    expect(boom.data?.code).toBe("BAD_REQUEST");
    expect(boom.message).toBe("boom");
    expect(hits).toMatchObject({ admin: 1, boom: 1, refresh: 0 });
    expect(onLogout).not.toHaveBeenCalled();
  });

  it("does not refresh for an invalid (not expired) token", { timeout: 5000 }, async () => {
    const { client, store, onLogout } = await session(terminal);
    store.setTokens({ authToken: "x.y.z" });
    const error = (await client.whoami.query().catch((e: unknown) => e)) as TRPCClientError<Router>;
    expect(jwtErrorCode(error)).toBe("TOKEN_INVALID");
    expect(hits).toMatchObject({ whoami: 1, refresh: 0 });
    expect(onLogout).not.toHaveBeenCalled();
  });
});

describe("refreshLink in isolation", () => {
  /** A terminating link that fails with TOKEN_EXPIRED while the store holds "old", else answers "ok". */
  function scriptedLink(store: ReturnType<typeof createTokenStore>, calls: { count: number }): TRPCLink<Router> {
    return () =>
      ({ op }) =>
        observable((observer) => {
          calls.count++;
          void op;
          queueMicrotask(() => {
            if (store.getAuthToken() === "old") {
              observer.error(clientRefusal("TOKEN_EXPIRED"));
            } else {
              observer.next({ result: { type: "data", data: "ok" } });
              observer.complete();
            }
          });
          return () => undefined;
        });
  }

  it("leaves no timers behind and retries a call that expires again only once", async () => {
    vi.useFakeTimers();
    try {
      const store = createTokenStore();
      store.setTokens({ authToken: "old", refreshToken: "r" });
      const calls = { count: 0 };
      const refresh = vi.fn(async () => ({ authToken: "old" })); // a useless refresh: the token is still expired
      const client = createTRPCClient<Router>({ links: [refreshLink({ store, refresh }), scriptedLink(store, calls)] });
      const error = await client.whoami.query().catch((e: unknown) => e);
      expect(jwtErrorCode(error)).toBe("TOKEN_EXPIRED");
      expect(calls.count).toBe(2);
      expect(refresh).toHaveBeenCalledTimes(1);
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });

  it("cancelling a call while the refresh runs drops its retry", async () => {
    const store = createTokenStore();
    store.setTokens({ authToken: "old", refreshToken: "r" });
    const calls = { count: 0 };
    let release!: () => void;
    const refresh = vi.fn(() => new Promise<{ authToken: string }>((resolve) => (release = () => resolve({ authToken: "new" }))));
    const client = createTRPCClient<Router>({ links: [refreshLink({ store, refresh }), scriptedLink(store, calls)] });
    const controller = new AbortController();
    const pending = client.whoami.query(undefined, { signal: controller.signal }).catch((e: unknown) => e);
    await vi.waitFor(() => expect(refresh).toHaveBeenCalledTimes(1));
    controller.abort();
    release();
    const outcome = await pending;
    expect(outcome).toBeInstanceOf(TRPCClientError);
    await new Promise((resolve) => setImmediate(resolve));
    expect(calls.count).toBe(1);
    expect(store.getAuthToken()).toBe("new");
  });

  it("a throwing logout callback or store still settles every pending call", async () => {
    const store = createTokenStore();
    store.setTokens({ authToken: "old", refreshToken: "r" });
    const calls = { count: 0 };
    const refresh = vi.fn(async () => {
      throw new Error("refresh endpoint down");
    });
    const onLogout = vi.fn(() => {
      throw new Error("the app's logout handler is broken");
    });
    const client = createTRPCClient<Router>({ links: [refreshLink({ store, refresh, onLogout }), scriptedLink(store, calls)] });
    const outcomes = await Promise.allSettled([client.whoami.query(), client.whoami.query()]);
    expect(outcomes.map((o) => o.status)).toEqual(["rejected", "rejected"]);
    expect(outcomes.map((o) => jwtErrorCode((o as PromiseRejectedResult).reason))).toEqual(["TOKEN_EXPIRED", "TOKEN_EXPIRED"]);
    expect(refresh).toHaveBeenCalledTimes(1);
    expect(onLogout).toHaveBeenCalledTimes(1);
    expect(store.getRefreshToken()).toBeUndefined();
  });

  it("uses a token refreshed meanwhile without refreshing again", async () => {
    const store = createTokenStore();
    store.setTokens({ authToken: "old", refreshToken: "r" });
    const calls = { count: 0 };
    const refresh = vi.fn(async () => ({ authToken: "new" }));
    const client = createTRPCClient<Router>({ links: [refreshLink({ store, refresh }), scriptedLink(store, calls)] });
    const first = client.whoami.query();
    store.setTokens({ authToken: "new" }); // another tab or call refreshed while this one was in flight
    expect(await first).toBe("ok");
    expect(refresh).not.toHaveBeenCalled();
  });
});
