// refreshLink never brings an old session back, and never sends one user's call as another:
// the logout / other-login races of issue #17 item 2, over real HTTP on 127.0.0.1.
import { createTRPCClient, httpLink, TRPCClientError, type TRPCLink } from "@trpc/client";
import { initTRPC } from "@trpc/server";
import { observable } from "@trpc/server/observable";
import superjson from "superjson";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { AuthManager, createJwtContext, createJwtProcedures, jwtErrorFormatter } from "trpc-jwt";
import { bearerHeaders, createTokenStore, jwtErrorAction, jwtErrorCode, refreshLink, type TokenStore } from "trpc-jwt/client";
import { clientRefusal } from "./helpers/clientRefusal.js";
import { startServer } from "./helpers/httpServer.js";
import { fakeClock, optionsFor } from "./helpers/keys.js";
import { rejectionOf } from "./helpers/rejection.js";

const clock = fakeClock(Date.now());
const auth = new AuthManager(optionsFor("HS256", { clock: clock.now, authMaxAge: 60 }));
const createContext = createJwtContext(auth);
const t = initTRPC.context<typeof createContext>().create({ transformer: superjson, errorFormatter: jwtErrorFormatter });
const { refreshProcedure, requireToken } = createJwtProcedures(t);
const hits = { whoami: 0, refresh: 0 };
let gate: { enter: () => void; released: Promise<void> } | undefined;
const router = t.router({
  whoami: t.procedure
    .use(({ next }) => (hits.whoami++, next()))
    .use(requireToken())
    .query(({ ctx }) => ctx.token.sub),
  refresh: refreshProcedure.mutation(async ({ ctx }) => {
    hits.refresh++;
    if (gate) {
      gate.enter();
      await gate.released;
    }
    return { authToken: (await auth.authToken(ctx.token.sub)).signed, refreshToken: (await auth.refreshToken(ctx.token.sub)).signed };
  }),
});
type Router = typeof router;

const server = await startServer({ router, createContext });
afterAll(() => server.close());
afterEach(() => {
  hits.whoami = hits.refresh = 0;
  gate = undefined;
});

/** Makes the next refresh wait, on the server, until `release()`; `entered` resolves once it waits. */
function holdRefresh() {
  let release!: () => void;
  let enter!: () => void;
  const entered = new Promise<void>((resolve) => (enter = resolve));
  gate = { enter, released: new Promise<void>((resolve) => (release = resolve)) };
  return { entered, release: () => release() };
}

async function pairFor(sub: string) {
  return { authToken: (await auth.authToken(sub)).signed, refreshToken: (await auth.refreshToken(sub)).signed };
}

/** A logged-in client; `refreshLinks` go in front of the refresh client's HTTP link. */
async function session(refreshLinks: (store: TokenStore) => TRPCLink<Router>[] = () => []) {
  const store = createTokenStore();
  const onLogout = vi.fn();
  const refreshClient = createTRPCClient<Router>({
    links: [...refreshLinks(store), httpLink({ url: server.url, transformer: superjson, headers: bearerHeaders(store.getRefreshToken) })],
  });
  const client = createTRPCClient<Router>({
    links: [
      refreshLink({ store, refresh: () => refreshClient.refresh.mutate(), onLogout }),
      httpLink({ url: server.url, transformer: superjson, headers: bearerHeaders(store.getAuthToken) }),
    ],
  });
  store.setTokens(await pairFor("alice"));
  return { store, client, onLogout };
}

describe("refreshLink: the session changes while a refresh is in flight", () => {
  it("logout meanwhile: the refresh result is dropped, the store stays empty, the waiting calls fail", async () => {
    const { store, client, onLogout } = await session();
    clock.advance(61);
    const held = holdRefresh();
    const calls = [client.whoami.query(), client.whoami.query()].map(rejectionOf);
    await held.entered;
    store.clear(); // the user logs out while the refresh is on the wire
    held.release();
    for (const error of await Promise.all(calls)) {
      expect(error).toBeInstanceOf(TRPCClientError);
      expect([jwtErrorCode(error), jwtErrorAction(error)]).toEqual(["TOKEN_EXPIRED", "login"]);
    }
    expect([store.getAuthToken(), store.getRefreshToken()]).toEqual([undefined, undefined]);
    expect(hits).toEqual({ whoami: 2, refresh: 1 });
    expect(onLogout).not.toHaveBeenCalled(); // the app logged out itself
  });

  it("another user logs in meanwhile: their tokens stay, and the first user's calls are not sent as theirs", async () => {
    const { store, client, onLogout } = await session();
    clock.advance(61);
    const held = holdRefresh();
    const pending = rejectionOf(client.whoami.query());
    await held.entered;
    const bob = await pairFor("bob");
    store.setTokens(bob);
    held.release();
    const error = await pending;
    expect([jwtErrorCode(error), jwtErrorAction(error)]).toEqual(["TOKEN_EXPIRED", "login"]);
    expect([store.getAuthToken(), store.getRefreshToken()]).toEqual([bob.authToken, bob.refreshToken]);
    expect(hits).toEqual({ whoami: 1, refresh: 1 });
    expect(onLogout).not.toHaveBeenCalled();
    expect(await client.whoami.query()).toBe("bob");
  });

  it("a refused refresh after another login leaves the new session alone", async () => {
    const bob = await pairFor("bob");
    // Bob logs in just before the server's refusal of the refresh reaches the link.
    const bobLogsInFirst =
      (store: TokenStore): TRPCLink<Router> =>
      () =>
      ({ next, op }) =>
        observable((observer) =>
          next(op).subscribe({
            ...observer,
            error: (error) => {
              store.setTokens(bob);
              observer.error(error);
            },
          }),
        );
    const { store, client, onLogout } = await session((s) => [bobLogsInFirst(s)]);
    clock.advance(61);
    store.setTokens({ refreshToken: "not-a-refresh-token" });
    const error = await rejectionOf(client.whoami.query());
    expect(jwtErrorAction(error)).toBe("login");
    expect(onLogout).not.toHaveBeenCalled();
    expect([store.getAuthToken(), store.getRefreshToken()]).toEqual([bob.authToken, bob.refreshToken]);
    expect(await client.whoami.query()).toBe("bob");
  });
});

describe("refreshLink: a call whose token was replaced before its error came back", () => {
  /** Answers each call once the test says so: TOKEN_EXPIRED if it was sent with `expired`, else the token it was sent with. */
  function deferredLink(store: TokenStore, expired: string, sent: string[], answer: Promise<void>): TRPCLink<Router> {
    return () =>
      ({ op }) =>
        observable((observer) => {
          void op;
          const token = store.getAuthToken() ?? "";
          sent.push(token);
          void answer.then(() => {
            if (token === expired) {
              observer.error(clientRefusal("TOKEN_EXPIRED"));
            } else {
              observer.next({ result: { type: "data", data: token } });
              observer.complete();
            }
          });
          return () => undefined;
        });
  }
  const unsigned = (claims: object) => `e30.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.`;

  it.each([
    ["the same user (another tab refreshed)", { iss: "api", sub: "alice", n: 2 }, true],
    ["another user", { iss: "api", sub: "bob" }, false],
    ["the same name from another issuer", { iss: "elsewhere", sub: "alice" }, false],
  ] as const)("replaced by a token of %s: sent again = %s, without a refresh", async (_, claims, resent) => {
    const store = createTokenStore();
    const old = unsigned({ iss: "api", sub: "alice", n: 1 });
    const replacement = unsigned(claims);
    store.setTokens({ authToken: old, refreshToken: "r" });
    const sent: string[] = [];
    let answer!: () => void;
    const answered = new Promise<void>((resolve) => (answer = resolve));
    const refresh = vi.fn(async () => ({ authToken: "never" }));
    const client = createTRPCClient<Router>({ links: [refreshLink({ store, refresh }), deferredLink(store, old, sent, answered)] });
    const pending = client.whoami.query().then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    );
    store.setTokens({ authToken: replacement });
    answer();
    const outcome = await pending;
    expect(refresh).not.toHaveBeenCalled();
    if (resent) {
      expect(outcome).toEqual({ value: replacement });
      expect(sent).toEqual([old, replacement]);
    } else {
      expect(jwtErrorAction((outcome as { error: unknown }).error)).toBe("login");
      expect(sent).toEqual([old]);
    }
  });
});
