// Issue #29: auth.rateLimit over HTTP, SSE and WebSocket (429 RATE_LIMITED, Retry-After on HTTP,
// retryAfter in the error data everywhere), the client IP behind trustedProxies, store outages,
// and the store round trips a limited call costs.
import { createTRPCClient, httpLink } from "@trpc/client";
import { initTRPC } from "@trpc/server";
import superjson from "superjson";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { AuthManager, createJwtContext, JwtConfigError, jwtErrorFormatter, memoryStore, type TokenStore } from "trpc-jwt";
import { jwtErrorAction, jwtErrorCode } from "trpc-jwt/client";
import { optionsFor } from "./helpers/keys.js";
import { connectRedis, hasRedisServer } from "./helpers/redisServer.js";
import { subscriptionLink, type Transport } from "./helpers/subscriptionLink.js";
import { useRedisStores } from "./helpers/useRedisStores.js";
import { startHttpAndWsServer } from "./helpers/wsServer.js";

function limitedApp(store: TokenStore, trustedProxies?: readonly string[]) {
  const auth = new AuthManager(optionsFor("HS256", { store }));
  const createContext = createJwtContext(auth, trustedProxies === undefined ? {} : { trustedProxies });
  const t = initTRPC.context<typeof createContext>().create({ transformer: superjson, errorFormatter: jwtErrorFormatter });
  const perIp = auth.rateLimit({ key: ({ ip, path }) => `${path}:${ip}`, limit: 3, window: 60 });
  const router = t.router({
    login: t.procedure
      .input(z.object({ username: z.string() }))
      .use(auth.rateLimit({ key: ({ input }) => `login:${input.username}`, limit: 2, window: 60 }))
      .mutation(({ input }) => input.username),
    whoami: t.procedure.use(perIp).query(({ ctx }) => ctx.jwt !== undefined),
    ticks: t.procedure.use(auth.rateLimit({ key: ({ ip }) => `ticks:${ip}`, limit: 1, window: 60 })).subscription(async function* () {
      yield 1;
    }),
    free: t.procedure.query(() => "free"),
  });
  return { router, createContext };
}

async function failure(call: Promise<unknown>) {
  try {
    await call;
  } catch (error) {
    const data = (error as { data?: { httpStatus?: number; retryAfter?: number } }).data;
    return { code: jwtErrorCode(error), action: jwtErrorAction(error), httpStatus: data?.httpStatus, retryAfter: data?.retryAfter };
  }
  return "passed";
}

describe("auth.rateLimit over HTTP, SSE and WebSocket (memoryStore)", () => {
  let server: Awaited<ReturnType<typeof startHttpAndWsServer>>;
  beforeAll(async () => {
    const app = limitedApp(memoryStore());
    server = await startHttpAndWsServer(app.router, app.createContext);
  });
  afterAll(() => server.close());
  const client = () => createTRPCClient<ReturnType<typeof limitedApp>["router"]>({ links: [httpLink({ url: server.httpUrl, transformer: superjson })] });

  it("HTTP: the limit + 1-th call gets 429 RATE_LIMITED with Retry-After and retryAfter; other keys are separate buckets", async () => {
    expect(await client().login.mutate({ username: "ann" })).toBe("ann");
    expect(await client().login.mutate({ username: "ann" })).toBe("ann");
    expect(await failure(client().login.mutate({ username: "ann" }))).toEqual({ code: "RATE_LIMITED", action: "retry-later", httpStatus: 429, retryAfter: 60 });
    const raw = await fetch(`${server.httpUrl}/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ json: { username: "ann" } }),
    });
    expect(raw.status).toBe(429);
    expect(Number(raw.headers.get("retry-after"))).toBeGreaterThanOrEqual(59);
    expect(await client().login.mutate({ username: "bob" })).toBe("bob");
    expect(await client().free.query()).toBe("free");
  });

  for (const transport of ["wsLink", "httpSubscriptionLink (SSE)"] as Transport[]) {
    it(`${transport}: a subscription over the limit ends with RATE_LIMITED and retryAfter in its error data`, async () => {
      const { link, close } = subscriptionLink<ReturnType<typeof limitedApp>["router"]>(server, transport, "unused");
      const trpc = createTRPCClient<ReturnType<typeof limitedApp>["router"]>({ links: [link] });
      const run = () =>
        new Promise<unknown>((resolve) => {
          const sub = trpc.ticks.subscribe(undefined, {
            onData: () => {
              sub.unsubscribe();
              resolve("passed");
            },
            onError: (error) => resolve(failure(Promise.reject(error))),
          });
        });
      const outcomes = [await run(), await run()];
      await close();
      expect(outcomes.filter((outcome) => outcome === "passed").length).toBeLessThanOrEqual(1);
      expect(outcomes.at(-1)).toEqual({ code: "RATE_LIMITED", action: "retry-later", httpStatus: 429, retryAfter: 60 });
    });
  }
});

describe("the client IP and trustedProxies", () => {
  const calls = async (url: string, forwardedFor: string | undefined, n: number) => {
    const results: number[] = [];
    for (let i = 0; i < n; i++) {
      const response = await fetch(`${url}/whoami`, { headers: forwardedFor === undefined ? {} : { "x-forwarded-for": forwardedFor } });
      results.push(response.status);
    }
    return results;
  };

  it("with trustedProxies 127.0.0.0/8 and two hops, two clients get separate buckets; a spoofed left-most hop makes no new bucket", async () => {
    const app = limitedApp(memoryStore(), ["127.0.0.0/8", "::1/128"]);
    const server = await startHttpAndWsServer(app.router, app.createContext);
    // client, then a trusted proxy (127.0.0.2); the socket (127.0.0.1) is a trusted proxy too
    expect(await calls(server.httpUrl, "203.0.113.7, 127.0.0.2", 4)).toEqual([200, 200, 200, 429]);
    expect(await calls(server.httpUrl, "198.51.100.9, 127.0.0.2", 3)).toEqual([200, 200, 200]);
    // The client forging a left-most hop: the rightmost untrusted hop is still its own address.
    expect(await calls(server.httpUrl, "192.0.2.55, 203.0.113.7, 127.0.0.2", 1)).toEqual([429]);
    await server.close();
  });

  it("without trustedProxies a forwarded header does not change the bucket", async () => {
    const app = limitedApp(memoryStore());
    const server = await startHttpAndWsServer(app.router, app.createContext);
    expect(await calls(server.httpUrl, "203.0.113.7", 2)).toEqual([200, 200]);
    expect(await calls(server.httpUrl, "198.51.100.9", 2)).toEqual([200, 429]);
    await server.close();
  });

  it("IPv6 and mapped IPv4 sockets: the rightmost untrusted hop, or the socket when it is no trusted proxy", async () => {
    const auth = new AuthManager(optionsFor("HS256", { store: memoryStore() }));
    const seen: (string | undefined)[] = [];
    const ipOf = async (trustedProxies: string[] | undefined, remoteAddress: string, forwardedFor?: string) => {
      const createContext = createJwtContext(auth, trustedProxies === undefined ? {} : { trustedProxies });
      const t = initTRPC.context<typeof createContext>().create();
      const router = t.router({ hit: t.procedure.use(auth.rateLimit({ key: ({ ip }) => (seen.push(ip), "k"), limit: 1000, window: 60 })).query(() => 1) });
      const headers = forwardedFor === undefined ? {} : { "x-forwarded-for": forwardedFor };
      const rawHeaders = Object.entries(headers).flat();
      await router.createCaller(createContext({ req: { headers, rawHeaders, socket: { remoteAddress } } as never })).hit();
      return seen.at(-1);
    };
    // An IPv6 client is its /64 network (see the next test).
    expect(await ipOf(["::1/128"], "::1", "2001:db8::5")).toBe("2001:db8:0:0:0:0:0:0/64");
    expect(await ipOf(["127.0.0.0/8"], "::ffff:127.0.0.1", "198.51.100.1, 10.0.0.1")).toBe("10.0.0.1");
    expect(await ipOf(["fd00::/8", "10.0.0.0/8"], "fd12::1", "203.0.113.9, 10.1.2.3, fd00::2")).toBe("203.0.113.9");
    expect(await ipOf(["fd00::/8"], "2001:db8::9", "203.0.113.9")).toBe("2001:db8:0:0:0:0:0:0/64");
    expect(await ipOf(undefined, "2001:db8::9", "203.0.113.9")).toBe("2001:db8:0:0:0:0:0:0/64");
    // A hop that is no address is that client's bucket, as written: never the proxy's own address.
    expect(await ipOf(["127.0.0.0/8"], "127.0.0.1", "not-an-address, 127.0.0.3")).toBe("not-an-address");
  });

  it("an IPv6 client is its /64: another address of the same /64 shares the bucket, another /64 does not; ipv6Subnet 128 keys by address", async () => {
    const auth = new AuthManager(optionsFor("HS256", { store: memoryStore() }));
    const createContext = createJwtContext(auth, { trustedProxies: ["127.0.0.1"] });
    const t = initTRPC.context<typeof createContext>().create();
    const router = t.router({
      login: t.procedure.use(auth.rateLimit({ key: ({ ip, path }) => `${path}:${ip}`, limit: 1, window: 60 })).mutation(() => "ok"),
      byAddress: t.procedure.use(auth.rateLimit({ key: ({ ip, path }) => `${path}:${ip}`, limit: 1, window: 60, ipv6Subnet: 128 })).mutation(() => "ok"),
    });
    const callVia = (procedure: "login" | "byAddress", forwardedFor: string) => {
      const headers = { "x-forwarded-for": forwardedFor };
      const ctx = createContext({ req: { headers, rawHeaders: Object.entries(headers).flat(), socket: { remoteAddress: "127.0.0.1" } } as never });
      return router
        .createCaller(ctx)
        [procedure]()
        .catch((error: { code?: string }) => error.code);
    };
    expect(await callVia("login", "2001:db8:1:2::a")).toBe("ok");
    expect(await callVia("login", "2001:db8:1:2:ffff::b")).toBe("TOO_MANY_REQUESTS");
    expect(await callVia("login", "2001:db8:1:3::a")).toBe("ok");
    expect([await callVia("byAddress", "2001:db8:1:2::a"), await callVia("byAddress", "2001:db8:1:2::b")]).toEqual(["ok", "ok"]);
    // IPv4 clients are their own address.
    expect([await callVia("login", "203.0.113.1"), await callVia("login", "203.0.113.2")]).toEqual(["ok", "ok"]);
    expect(() => auth.rateLimit({ key: () => "k", limit: 1, window: 1, ipv6Subnet: 16 })).toThrow(/ipv6Subnet/);
  });

  it("a hop with a port (Azure Application Gateway: 203.0.113.9:51234; [2001:db8::7]:443) is the address without it, never the proxy's", async () => {
    const app = limitedApp(memoryStore(), ["127.0.0.0/8", "::1/128"]);
    const server = await startHttpAndWsServer(app.router, app.createContext);
    expect(await calls(server.httpUrl, "203.0.113.9:51234", 4)).toEqual([200, 200, 200, 429]);
    // Another client through the same proxy has its own bucket; the same client on another port does not.
    expect(await calls(server.httpUrl, "198.51.100.7:40000", 1)).toEqual([200]);
    expect(await calls(server.httpUrl, "203.0.113.9:60000", 1)).toEqual([429]);
    expect(await calls(server.httpUrl, "[2001:db8::7]:443", 3)).toEqual([200, 200, 200]);
    expect(await calls(server.httpUrl, "[2001:db8::7]", 1)).toEqual([429]);
    await server.close();
  });

  it("checks trustedProxies at construction, naming the option (IPv4 and IPv6)", () => {
    const auth = new AuthManager(optionsFor("HS256", { store: memoryStore() }));
    expect(() => createJwtContext(auth, { trustedProxies: ["10.0.0.0/8", "fd00::/8", "::1", "192.0.2.1"] })).not.toThrow();
    for (const bad of [["10.0.0.0/33"], ["fd00::/129"], ["not-an-ip"], ["10.0.0"], []]) {
      expect(() => createJwtContext(auth, { trustedProxies: bad })).toThrow(JwtConfigError);
    }
    expect(() => createJwtContext(auth, { trustedProxies: ["1.2.3.4/40"] })).toThrow(/trustedProxies\[0\]/);
  });
});

describe("rateLimit options and store outages", () => {
  it("checks its options (JwtConfigError naming them) and needs a counting store", () => {
    const auth = new AuthManager(optionsFor("HS256", { store: memoryStore() }));
    expect(() => auth.rateLimit({ key: () => "k", limit: 0, window: 60 })).toThrow(/limit/);
    expect(() => auth.rateLimit({ key: () => "k", limit: 1, window: 0 })).toThrow(/window/);
    expect(() => auth.rateLimit({ key: "k" as never, limit: 1, window: 1 })).toThrow(/key/);
    expect(() => auth.rateLimit({ key: () => "k", limit: 1, window: 1, onStoreDown: "maybe" as never })).toThrow(/onStoreDown/);
    expect(() => new AuthManager(optionsFor("HS256")).rateLimit({ key: () => "k", limit: 1, window: 1 })).toThrow(/store/);
  });

  it("a store that cannot count: 503 STORE_UNAVAILABLE by default (login fails closed), the call goes on with onStoreDown 'allow'", async () => {
    const down: TokenStore = { ...memoryStore(), hitRateLimit: () => Promise.reject(new Error("down")) };
    const auth = new AuthManager(optionsFor("HS256", { store: down }));
    const createContext = createJwtContext(auth);
    const t = initTRPC.context<typeof createContext>().create({ errorFormatter: jwtErrorFormatter });
    const router = t.router({
      login: t.procedure.use(auth.rateLimit({ key: () => "x", limit: 5, window: 60 })).mutation(() => "in"),
      feed: t.procedure.use(auth.rateLimit({ key: () => "x", limit: 5, window: 60, onStoreDown: "allow" })).query(() => "feed"),
    });
    const caller = router.createCaller(createContext({ headers: new Headers() }));
    expect(await failure(caller.login())).toMatchObject({ code: "STORE_UNAVAILABLE", action: "retry-later" });
    expect(await caller.feed()).toBe("feed");
  });
});

describe.runIf(hasRedisServer())("auth.rateLimit on a real redis-server", () => {
  const redis = useRedisStores();
  it("counts atomically: 200 concurrent callers through three stores (three processes' connections) get exactly the limit; a limited call costs one store command, an unlimited one none", async () => {
    const managers = await Promise.all([0, 1, 2].map(async () => new AuthManager(optionsFor("HS256", { store: await redis.open() }))));
    const apps = managers.map((auth) => {
      const createContext = createJwtContext(auth);
      const t = initTRPC.context<typeof createContext>().create();
      return t
        .router({
          hit: t.procedure.use(auth.rateLimit({ key: () => "shared", limit: 37, window: 60 })).query(() => 1),
          free: t.procedure.query(() => 1),
        })
        .createCaller(createContext({ headers: new Headers() }));
    });
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        apps[i % 3]!.hit().then(
          () => "ok",
          (error: unknown) => jwtErrorCode(error),
        ),
      ),
    );
    expect(results.filter((result) => result === "ok")).toHaveLength(37);
    expect(results.filter((result) => result === "RATE_LIMITED")).toHaveLength(163);
    const stats = await connectRedis(redis.server().url);
    redis.onCleanup(() => stats.close());
    const commands = async () => {
      const info = String(await stats.sendCommand(["INFO", "commandstats"]));
      return [...info.matchAll(/cmdstat_(evalsha|eval):calls=(\d+)/g)].reduce((sum, [, , n]) => sum + Number(n), 0);
    };
    await stats.sendCommand(["CONFIG", "RESETSTAT"]);
    await apps[0]!.hit().catch(() => undefined);
    expect(await commands()).toBe(1);
    await stats.sendCommand(["CONFIG", "RESETSTAT"]);
    await apps[0]!.free();
    expect(await commands()).toBe(0);
  });
});
