// refreshLink over wsLink, against a real WebSocket server on 127.0.0.1 (issue #17 item 11): a
// socket is authenticated once, when it connects, so a refresh must reconnect it with the new
// token, and a logout or another login must close it.
import { EventEmitter, on } from "node:events";
import { createTRPCClient, createWSClient, httpLink, wsLink, type TRPCClientError } from "@trpc/client";
import { initTRPC } from "@trpc/server";
import superjson from "superjson";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { WebSocket } from "ws";
import { AuthManager, createJwtContext, createJwtProcedures, jwtErrorFormatter } from "trpc-jwt";
import { bearerHeaders, createTokenStore, jwtErrorAction, jwtErrorCode, refreshLink, wsConnectionParams, type TokenStore } from "trpc-jwt/client";
import { fakeClock, optionsFor } from "./helpers/keys.js";
import { rejectionOf } from "./helpers/rejection.js";
import { startHttpAndWsServer } from "./helpers/wsServer.js";

const clock = fakeClock(Date.now());
const auth = new AuthManager(optionsFor("HS256", { clock: clock.now, authMaxAge: 60 }));
const createContext = createJwtContext(auth);
const t = initTRPC.context<typeof createContext>().create({ transformer: superjson, errorFormatter: jwtErrorFormatter });
const { authedProcedure, refreshProcedure, requireToken } = createJwtProcedures(t);
const hits = { refresh: 0 };
const ticks = new EventEmitter();
const router = t.router({
  whoami: t.procedure.use(requireToken()).query(({ ctx }) => ctx.token.sub),
  ticks: authedProcedure.subscription(async function* ({ signal }) {
    for await (const [tick] of on(ticks, "tick", { signal })) yield tick as number;
  }),
  refresh: refreshProcedure.mutation(async ({ ctx }) => {
    hits.refresh++;
    return { authToken: (await auth.authToken(ctx.token.sub)).signed, refreshToken: (await auth.refreshToken(ctx.token.sub)).signed };
  }),
});
type Router = typeof router;

// One server for both: HTTP for login-time calls and the refresh, WebSocket for the rest.
let server: Awaited<ReturnType<typeof startHttpAndWsServer>>;
let sockets: WebSocket[] = [];
let httpUrl: string;
let wsUrl: string;
beforeAll(async () => {
  server = await startHttpAndWsServer(router, createContext);
  ({ httpUrl, wsUrl, sockets } = server);
});
const clients: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
  sockets.length = 0;
  hits.refresh = 0;
});
afterAll(() => server.close());

const closed = (socket: WebSocket | undefined) =>
  new Promise<void>((resolve) => (socket === undefined || socket.readyState === WebSocket.CLOSED ? resolve() : socket.once("close", () => resolve())));

async function pairFor(sub: string) {
  return { authToken: (await auth.authToken(sub)).signed, refreshToken: (await auth.refreshToken(sub)).signed };
}

/** A store as an app might write one: without `subscribe`, so the link sees only its own changes. */
function storeWithoutSubscribe(): TokenStore {
  const { getAuthToken, getRefreshToken, setTokens, clear } = createTokenStore();
  return { getAuthToken, getRefreshToken, setTokens, clear };
}

/** Alice, logged in before the WebSocket client (not lazy) opens its first socket. */
async function session(store: TokenStore = createTokenStore()) {
  store.setTokens(await pairFor("alice"));
  const onLogout = vi.fn();
  const wsClient = createWSClient({ url: wsUrl, WebSocket: WebSocket as never, connectionParams: wsConnectionParams(store) });
  clients.push(wsClient);
  const refreshClient = createTRPCClient<Router>({
    links: [httpLink({ url: httpUrl, transformer: superjson, headers: bearerHeaders(store.getRefreshToken) })],
  });
  const client = createTRPCClient<Router>({
    links: [
      refreshLink({ store, refresh: () => refreshClient.refresh.mutate(), onLogout, webSocket: wsClient }),
      wsLink({ client: wsClient, transformer: superjson }),
    ],
  });
  return { store, client, onLogout };
}

describe.each([
  ["createTokenStore()", () => createTokenStore()],
  ["a store without subscribe", storeWithoutSubscribe],
])("refreshLink over wsLink, with %s", (_, makeStore) => {
  it("an expired token is refreshed once; the socket reconnects with the new token and later calls need no refresh", async () => {
    const { client, onLogout } = await session(makeStore());
    expect(await client.whoami.query()).toBe("alice");
    expect(sockets).toHaveLength(1);
    clock.advance(61);
    expect(await Promise.all(Array.from({ length: 5 }, () => client.whoami.query()))).toEqual(Array(5).fill("alice"));
    expect(hits.refresh).toBe(1);
    for (let i = 0; i < 5; i++) expect(await client.whoami.query()).toBe("alice");
    expect(hits.refresh).toBe(1);
    expect(sockets).toHaveLength(2);
    await closed(sockets[0]);
    expect(onLogout).not.toHaveBeenCalled();
  });

  it("each expiry of the refreshed token is refreshed in turn (three expiries, three refreshes, three reconnects)", async () => {
    const { client, onLogout } = await session(makeStore());
    expect(await client.whoami.query()).toBe("alice");
    for (let expiry = 1; expiry <= 3; expiry++) {
      clock.advance(61);
      expect(await client.whoami.query()).toBe("alice");
      expect(hits.refresh).toBe(expiry);
      expect(sockets).toHaveLength(expiry + 1);
    }
    expect(onLogout).not.toHaveBeenCalled();
  });

  it("a refused refresh logs out and closes the socket", async () => {
    const store = makeStore();
    const { client, onLogout } = await session(store);
    expect(await client.whoami.query()).toBe("alice");
    clock.advance(61);
    store.setTokens({ refreshToken: "not-a-refresh-token" });
    const error = await rejectionOf(client.whoami.query());
    expect([jwtErrorCode(error), jwtErrorAction(error)]).toEqual(["TOKEN_EXPIRED", "login"]);
    expect(onLogout).toHaveBeenCalledTimes(1);
    await closed(sockets[0]);
    const next = (await rejectionOf(client.whoami.query())) as TRPCClientError<Router>;
    expect(jwtErrorCode(next)).toBe("TOKEN_MISSING");
  });
});

describe("refreshLink over wsLink without the webSocket option", () => {
  it("stays a misconfiguration across expiries: one refresh, then every call fails naming refreshLink({ webSocket }), with its code", async () => {
    const store = createTokenStore();
    store.setTokens(await pairFor("alice"));
    const wsClient = createWSClient({ url: wsUrl, WebSocket: WebSocket as never, connectionParams: wsConnectionParams(store) });
    clients.push(wsClient);
    const refreshClient = createTRPCClient<Router>({
      links: [httpLink({ url: httpUrl, transformer: superjson, headers: bearerHeaders(store.getRefreshToken) })],
    });
    const client = createTRPCClient<Router>({
      links: [refreshLink({ store, refresh: () => refreshClient.refresh.mutate() }), wsLink({ client: wsClient, transformer: superjson })],
    });
    expect(await client.whoami.query()).toBe("alice");
    for (let expiry = 1; expiry <= 2; expiry++) {
      clock.advance(61); // the second time, the token the refresh stored has expired too
      for (let call = 0; call < 2; call++) {
        const error = await rejectionOf(client.whoami.query());
        expect((error as Error).message).toContain("refreshLink({ webSocket })");
        expect([jwtErrorCode(error), jwtErrorAction(error)]).toEqual(["TOKEN_EXPIRED", "login"]);
      }
    }
    expect(hits.refresh).toBe(1);
  });
});

describe("the app changes the tokens of an open WebSocket session (createTokenStore)", () => {
  it("logout closes the socket, ends its subscriptions, and the next call carries no token", async () => {
    const { store, client } = await session();
    const received: number[] = [];
    const ended = new Promise<string>((resolve) => {
      let started!: () => void;
      const ready = new Promise<void>((r) => (started = r));
      client.ticks.subscribe(undefined, {
        onStarted: () => started(),
        onData: (tick) => received.push(tick),
        onComplete: () => resolve("complete"),
        onError: () => resolve("error"),
      });
      void ready.then(() => ticks.emit("tick", 1));
    });
    await vi.waitFor(() => expect(received).toEqual([1]));
    store.clear();
    expect(await ended).toBe("complete");
    await closed(sockets[0]);
    const error = await rejectionOf(client.whoami.query());
    expect(jwtErrorCode(error)).toBe("TOKEN_MISSING");
    expect(sockets).toHaveLength(2);
  });

  it("another user's login: a call made at once runs as that user, on a new socket", async () => {
    const { store, client } = await session();
    expect(await client.whoami.query()).toBe("alice");
    store.setTokens(await pairFor("bob"));
    expect(await client.whoami.query()).toBe("bob");
    await closed(sockets[0]);
    expect(sockets).toHaveLength(2);
  });
});
