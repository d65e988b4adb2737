// AuthManager's sessions through real tRPC machinery: HTTP on 127.0.0.1, the fetch adapter and a
// WebSocket connection, with memoryStore() and with redisStore() on a real redis-server.
import type { AddressInfo } from "node:net";
import { createTRPCClient, createWSClient, httpLink, TRPCClientError, wsLink } from "@trpc/client";
import { initTRPC } from "@trpc/server";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { applyWSSHandler } from "@trpc/server/adapters/ws";
import superjson from "superjson";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket, WebSocketServer } from "ws";
import { AuthManager, createJwtContext, createJwtProcedures, JwtConfigError, JwtError, jwtErrorFormatter, memoryStore, type TokenStore } from "trpc-jwt";
import { fakeClock, optionsFor } from "./helpers/keys.js";
import { hasRedisServer } from "./helpers/redisServer.js";
import { useRedisStores } from "./helpers/useRedisStores.js";
import { failingStore } from "./helpers/failingStore.js";
import { rejectionOf } from "./helpers/rejection.js";
import { createSessionApp, type SessionRouter } from "./helpers/sessionApp.js";
import { startServer } from "./helpers/httpServer.js";

type Client = ReturnType<typeof createTRPCClient<SessionRouter>>;

async function errorData(call: Promise<unknown>) {
  const error = await rejectionOf(call);
  expect(error).toBeInstanceOf(TRPCClientError);
  return (error as TRPCClientError<SessionRouter>).data as { httpStatus: number; jwtCode?: string } | undefined;
}

function sessionsOverTrpc(openStore: () => Promise<TokenStore>) {
  let auth: AuthManager;
  let server: Awaited<ReturnType<typeof startServer>>;
  let wss: WebSocketServer;
  let wsUrl: string;
  let handler: ReturnType<typeof applyWSSHandler>;
  const client = (token?: string): Client =>
    createTRPCClient<SessionRouter>({
      links: [httpLink({ url: server.url, transformer: superjson, headers: token === undefined ? {} : { authorization: `Bearer ${token}` } })],
    });

  beforeAll(async () => {
    auth = new AuthManager({ ...optionsFor("HS256"), store: await openStore() });
    const app = createSessionApp(auth);
    server = await startServer(app);
    wss = new WebSocketServer({ host: "127.0.0.1", port: 0 });
    await new Promise<void>((resolve) => wss.once("listening", resolve));
    handler = applyWSSHandler({ wss, ...app });
    wsUrl = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    handler.broadcastReconnectNotification();
    for (const socket of wss.clients) socket.terminate();
    await new Promise<void>((resolve) => wss.close(() => resolve()));
    await server.close();
  });

  it("logout (revokeSession) refuses the session's tokens with 401 TOKEN_REVOKED, cached ones included", async () => {
    const pair = await client().login.mutate({ sub: "alice" });
    const other = await client().login.mutate({ sub: "alice" });
    // Three calls: the token is now in the verified-token cache and known unrevoked.
    for (let i = 0; i < 3; i++) expect(await client(pair.authToken).me.query()).toBe("alice");
    await client(pair.authToken).logout.mutate();
    expect(await errorData(client(pair.authToken).me.query())).toMatchObject({ httpStatus: 401, jwtCode: "TOKEN_REVOKED" });
    expect(await errorData(client().rotate.mutate({ refresh: pair.refreshToken }))).toMatchObject({ httpStatus: 401, jwtCode: "TOKEN_REVOKED" });
    expect(await client(other.authToken).me.query()).toBe("alice");
  });

  it("revoke(token): verifyToken refuses it on a cache hit too", async () => {
    const { authToken } = await auth.login("bob");
    await auth.verifyToken(authToken.signed);
    await auth.verifyToken(authToken.signed);
    await auth.revoke(authToken.signed);
    const error = await rejectionOf(auth.verifyToken(authToken.signed));
    expect(error).toBeInstanceOf(JwtError);
    expect((error as JwtError).code).toBe("TOKEN_REVOKED");
  });

  it("rotate over HTTP: a new pair works; presenting the old refresh token again is 401 TOKEN_REUSED and ends the session", async () => {
    const first = await client().login.mutate({ sub: "carol" });
    const next = await client().rotate.mutate({ refresh: first.refreshToken });
    expect(await client(next.authToken).me.query()).toBe("carol");
    expect(await errorData(client().rotate.mutate({ refresh: first.refreshToken }))).toMatchObject({ httpStatus: 401, jwtCode: "TOKEN_REUSED" });
    expect(await errorData(client(next.authToken).me.query())).toMatchObject({ httpStatus: 401, jwtCode: "TOKEN_REVOKED" });
    expect(await errorData(client().rotate.mutate({ refresh: next.refreshToken }))).toMatchObject({ httpStatus: 401, jwtCode: "TOKEN_REVOKED" });
  });

  it("revokeSubject logs the subject out everywhere; a login right after works", async () => {
    const sub = `dave-${Date.now()}`;
    const one = await client().login.mutate({ sub });
    const two = await client().login.mutate({ sub });
    const plain = (await auth.authToken(sub)).signed;
    expect(await client(one.authToken).me.query()).toBe(sub);
    await client().revokeSubject.mutate({ sub });
    const after = await client().login.mutate({ sub });
    for (const token of [one.authToken, two.authToken, plain]) {
      expect(await errorData(client(token).me.query())).toMatchObject({ httpStatus: 401, jwtCode: "TOKEN_REVOKED" });
    }
    expect(await client(after.authToken).me.query()).toBe(sub);
  });

  it("a WebSocket connection that outlives its session gets 401 TOKEN_REVOKED on its next call", async () => {
    const { authToken } = await auth.login("erin");
    const wsClient = createWSClient({ url: wsUrl, WebSocket: WebSocket as never, connectionParams: { token: authToken.signed } });
    const ws = createTRPCClient<SessionRouter>({ links: [wsLink({ client: wsClient, transformer: superjson })] });
    try {
      expect(await ws.me.query()).toBe("erin");
      expect(await ws.me.query()).toBe("erin");
      await auth.revokeSession(String(authToken.claims["sid"]));
      expect(await errorData(ws.me.query())).toMatchObject({ jwtCode: "TOKEN_REVOKED" });
    } finally {
      await wsClient.close();
    }
  });
}

describe("sessions over tRPC with memoryStore()", () => {
  sessionsOverTrpc(async () => memoryStore());
});

describe.runIf(hasRedisServer())("sessions over tRPC with redisStore() on a real redis-server", () => {
  sessionsOverTrpc(useRedisStores().open);
});

describe("a store that cannot be reached", () => {
  it("gives 503 STORE_UNAVAILABLE, never 200 or 500, for guarded calls, login and rotate", async () => {
    const issuer = new AuthManager(optionsFor("HS256"));
    const auth = new AuthManager({ ...optionsFor("HS256"), store: failingStore() });
    const { router, createContext } = createSessionApp(auth);
    const pair = await issuer.login("alice");
    const call = (path: string, init: RequestInit & { headers?: Record<string, string> } = {}) =>
      fetchRequestHandler({ endpoint: "/trpc", router, createContext, req: new Request(`http://localhost/trpc/${path}`, init) });
    const post = (path: string, body: unknown) =>
      call(path, { method: "POST", body: JSON.stringify({ json: body }), headers: { "content-type": "application/json" } });
    for (const response of [
      await call("me", { headers: { authorization: `Bearer ${pair.authToken.signed}` } }),
      await post("login", { sub: "alice" }),
      await post("rotate", { refresh: pair.refreshToken.signed }),
    ]) {
      expect(response.status).toBe(503);
      expect((await response.json()).error.json.data).toMatchObject({ code: "SERVICE_UNAVAILABLE", jwtCode: "STORE_UNAVAILABLE" });
    }
  });
});

describe("a context with several issuers", () => {
  it("applies the revocation check of the issuer that made the token, and none to the others", async () => {
    const withStore = new AuthManager({ ...optionsFor("HS256"), issuer: "with-store", store: memoryStore() });
    const without = new AuthManager({ ...optionsFor("HS256"), issuer: "without-store" });
    const createContext = createJwtContext([withStore, without]);
    const t = initTRPC.context<typeof createContext>().create({ errorFormatter: jwtErrorFormatter });
    const { authedProcedure } = createJwtProcedures(t);
    const router = t.router({ me: authedProcedure.query(({ ctx }) => ctx.token.iss) });
    const me = async (token: string) => {
      const response = await fetchRequestHandler({
        endpoint: "/trpc",
        router,
        createContext,
        req: new Request("http://localhost/trpc/me", { headers: { authorization: `Bearer ${token}` } }),
      });
      return { status: response.status, body: (await response.json()) as { error?: { data?: { jwtCode?: string } } } };
    };
    const session = await withStore.login("alice");
    const other = await without.login("alice");
    expect((await me(session.authToken.signed)).status).toBe(200);
    await withStore.revokeSession(String(session.authToken.claims["sid"]));
    const refused = await me(session.authToken.signed);
    expect(refused.status).toBe(401);
    expect(refused.body.error?.data?.jwtCode).toBe("TOKEN_REVOKED");
    expect((await me(other.authToken.signed)).status).toBe(200);
  });
});

describe("clockTolerance", () => {
  it("a revoked token stays revoked while the tolerance still accepts it after exp (entries outlive exp by it)", async () => {
    const clock = fakeClock(Date.now());
    const store = memoryStore({ clock: clock.now });
    const auth = new AuthManager({ ...optionsFor("HS256"), clock: clock.now, clockTolerance: 60, authMaxAge: 60, store });
    const { authToken } = await auth.login("alice");
    const other = await auth.login("alice");
    await auth.revoke(authToken);
    clock.advance(90); // past exp, within exp + clockTolerance
    await expect(auth.verifyToken(other.authToken.signed)).resolves.toMatchObject({ sub: "alice" });
    await expect(auth.verifyToken(authToken.signed)).rejects.toMatchObject({ code: "TOKEN_REVOKED" });
    clock.advance(31); // past exp + clockTolerance: expired, whatever the store says
    await expect(auth.verifyToken(authToken.signed)).rejects.toMatchObject({ code: "TOKEN_EXPIRED" });
  });
});

describe("session options and methods without a store", () => {
  it("login works without a store; rotate and revoke* throw JwtConfigError naming `store`", async () => {
    const auth = new AuthManager(optionsFor("HS256"));
    const { authToken, refreshToken } = await auth.login("alice", { admin: true });
    expect(await auth.verifyToken(authToken.signed, "auth")).toMatchObject({ sub: "alice", scope: { admin: true } });
    for (const call of [() => auth.rotate(refreshToken), () => auth.revoke(authToken), () => auth.revokeSession("sid"), () => auth.revokeSubject("alice")]) {
      const error = await rejectionOf(call());
      expect(error).toBeInstanceOf(JwtConfigError);
      expect((error as JwtConfigError).option).toBe("store");
    }
  });

  it("refuses a store that is not a TokenStore and a rotationGrace that is not a whole number of seconds >= 0", () => {
    for (const store of [null, {}, "redis", { ...memoryStore(), revocationState: undefined }]) {
      expect(() => new AuthManager({ ...optionsFor("HS256"), store: store as never })).toThrow(expect.objectContaining({ option: "store" }));
    }
    for (const rotationGrace of [-1, 1.5, "5", Number.NaN]) {
      expect(() => new AuthManager({ ...optionsFor("HS256"), rotationGrace: rotationGrace as never })).toThrow(
        expect.objectContaining({ option: "rotationGrace" }),
      );
    }
    expect(new AuthManager({ ...optionsFor("HS256"), store: memoryStore(), rotationGrace: 10 })).toBeInstanceOf(AuthManager);
  });

  it("reserves sid, auth_time, csrf and rot: authToken refuses them as extra claims", async () => {
    const auth = new AuthManager(optionsFor("HS256"));
    for (const name of ["sid", "auth_time", "csrf", "rot"]) {
      await expect(auth.authToken("alice", undefined, { [name]: "x" })).rejects.toMatchObject({ option: `claims.${name}` });
    }
  });
});
