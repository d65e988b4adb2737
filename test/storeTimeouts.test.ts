// Issue 25, item 3: every store command is bounded on the wire. With Redis paused (DEBUG SLEEP)
// or its path stalled (a proxy that stops forwarding), every call through real tRPC over HTTP
// answers 503 STORE_UNAVAILABLE within about `timeout`, and service comes back by itself.
import { createTRPCClient, httpLink, TRPCClientError } from "@trpc/client";
import superjson from "superjson";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AuthManager } from "trpc-jwt";
import { redisStore } from "trpc-jwt/redis";
import { HS256_SECRET } from "./helpers/keys.js";
import { startServer } from "./helpers/httpServer.js";
import { connectRedis, hasRedisServer, startRedisServer, type RedisServer } from "./helpers/redisServer.js";
import { createSessionApp, type SessionRouter } from "./helpers/sessionApp.js";
import { startTcpProxy, type TcpProxy } from "./helpers/tcpProxy.js";

const TIMEOUT = 300;
// What a call may take here: `timeout` plus an HTTP round trip on a machine with load ~20. The
// calls would take the whole pause (3 s) without the bound; the measured figures are printed.
const BOUND_MS = 1_500;

describe.runIf(hasRedisServer())("redisStore: every command bounded by timeout", () => {
  let redis: RedisServer;
  let proxy: TcpProxy;
  const cleanup: (() => Promise<unknown>)[] = [];
  let call: (token?: string) => ReturnType<typeof createTRPCClient<SessionRouter>>;
  let admin: Awaited<ReturnType<typeof connectRedis>>;

  beforeAll(async () => {
    redis = await startRedisServer(["--enable-debug-command", "local"]);
    proxy = await startTcpProxy(redis.port);
    admin = await connectRedis(redis.url);
    const client = await connectRedis(`redis://127.0.0.1:${proxy.port}`);
    // pubsub: false, so that every guarded call asks Redis (no remembered verdicts).
    const store = redisStore(client, { timeout: TIMEOUT, pubsub: false });
    await store.ready();
    const auth = new AuthManager({ issuer: "timeouts", authType: "HS256", secret: HS256_SECRET, store });
    const server = await startServer(createSessionApp(auth));
    cleanup.push(
      () => server.close(),
      () => client.close(),
      () => admin.close(),
      () => proxy.close(),
      () => redis.stop(),
    );
    call = (token) =>
      createTRPCClient<SessionRouter>({
        links: [httpLink({ url: server.url, transformer: superjson, headers: token === undefined ? {} : { authorization: `Bearer ${token}` } })],
      });
  });
  afterAll(async () => {
    for (const close of cleanup) await close().catch(() => undefined);
  });

  /** login, rotate, a guarded call and logout while Redis cannot answer: each code and duration. */
  async function callsDuringOutage(pair: { authToken: string; refreshToken: string }) {
    const calls: [string, () => Promise<unknown>][] = [
      ["login", () => call().login.mutate({ sub: "bob" })],
      ["rotate", () => call().rotate.mutate({ refresh: pair.refreshToken })],
      ["me", () => call(pair.authToken).me.query()],
      ["logout", () => call(pair.authToken).logout.mutate()],
    ];
    return Promise.all(
      calls.map(async ([name, run]) => {
        const start = performance.now();
        const error = await run().then(
          () => undefined,
          (e: unknown) => e,
        );
        const ms = Math.round(performance.now() - start);
        expect(error, name).toBeInstanceOf(TRPCClientError);
        const data = (error as TRPCClientError<SessionRouter>).data as { httpStatus?: number; jwtCode?: string };
        return { name, ms, status: data.httpStatus, jwtCode: data.jwtCode };
      }),
    );
  }

  async function serviceReturns(): Promise<number> {
    const start = performance.now();
    for (;;) {
      const ok = await call()
        .login.mutate({ sub: "carol" })
        .then(
          () => true,
          () => false,
        );
      if (ok) return Math.round(performance.now() - start);
      if (performance.now() - start > 10_000) throw new Error("service did not return within 10 s");
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  it("Redis paused (DEBUG SLEEP 3): every call answers 503 STORE_UNAVAILABLE within ~timeout; service returns by itself", async () => {
    const pair = await call().login.mutate({ sub: "alice" });
    const sleeping = admin.sendCommand(["DEBUG", "SLEEP", "3"]);
    await new Promise((resolve) => setTimeout(resolve, 50)); // the server is asleep now
    const results = await callsDuringOutage(pair);
    console.log(`DEBUG SLEEP 3, timeout ${TIMEOUT} ms:`, results.map(({ name, ms }) => `${name} ${ms} ms`).join(", "));
    for (const { name, ms, status, jwtCode } of results) {
      expect({ name, status, jwtCode }).toEqual({ name, status: 503, jwtCode: "STORE_UNAVAILABLE" });
      expect(ms, name).toBeLessThan(BOUND_MS);
    }
    await sleeping;
    console.log(`service back ${await serviceReturns()} ms after the sleep ended`);
    await expect(call(pair.authToken).me.query()).resolves.toBe("alice");
  });

  it("path stalled (a proxy that stops forwarding): every call answers 503 within ~timeout; service returns when it forwards again", async () => {
    const pair = await call().login.mutate({ sub: "alice" });
    proxy.stall();
    let results;
    try {
      results = await callsDuringOutage(pair);
    } finally {
      proxy.resume();
    }
    console.log(`stalled path, timeout ${TIMEOUT} ms:`, results.map(({ name, ms }) => `${name} ${ms} ms`).join(", "));
    for (const { name, ms, status, jwtCode } of results) {
      expect({ name, status, jwtCode }).toEqual({ name, status: 503, jwtCode: "STORE_UNAVAILABLE" });
      expect(ms, name).toBeLessThan(BOUND_MS);
    }
    console.log(`service back ${await serviceReturns()} ms after the path forwards again`);
    await expect(call(pair.authToken).me.query()).resolves.toBe("alice");
  });
});
