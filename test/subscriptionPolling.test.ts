// Issue 25, item 5: a store without announcements (`pubsub: false`) is polled per distinct
// token, never per subscription: 1,000 idle subscriptions of one session over a real WebSocket
// cost at most 2 store commands per second in all, and a logout still ends every one of them.
import { EventEmitter, on } from "node:events";
import { createTRPCClient } from "@trpc/client";
import { initTRPC } from "@trpc/server";
import superjson from "superjson";
import { afterAll, describe, expect, it } from "vitest";
import { AuthManager, createJwtContext, createJwtProcedures, jwtErrorFormatter } from "trpc-jwt";
import { jwtErrorCode } from "trpc-jwt/client";
import { optionsFor } from "./helpers/keys.js";
import { connectRedis, hasRedisServer } from "./helpers/redisServer.js";
import { subscriptionLink } from "./helpers/subscriptionLink.js";
import { useRedisStores } from "./helpers/useRedisStores.js";
import { redisStore } from "trpc-jwt/redis";
import { startHttpAndWsServer } from "./helpers/wsServer.js";

const SUBSCRIPTIONS = 1_000;
const IDLE_MS = 5_000;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

describe.runIf(hasRedisServer())("polling without announcements", () => {
  const redis = useRedisStores();
  const closers: (() => Promise<void> | void)[] = [];
  afterAll(async () => {
    for (const close of closers.reverse()) await close();
  });

  it(`${SUBSCRIPTIONS} idle subscriptions of one session cost at most 2 store commands per second; logout ends them all`, async () => {
    const idle = new EventEmitter(); // never emits: the subscriptions stay idle
    idle.setMaxListeners(0);
    // The store's client, counting every command the store sends (commands a script runs inside
    // Redis are not sent: Redis's own commandstats would count them too).
    const redisClient = await connectRedis(redis.server().url);
    closers.push(() => redisClient.close());
    let sent = 0;
    const counting = new Proxy(redisClient, {
      get(target, name) {
        if (name === "sendCommand") return (...args: Parameters<typeof redisClient.sendCommand>) => (sent++, target.sendCommand(...args));
        const value: unknown = Reflect.get(target, name, target);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    const store = redisStore(counting, { pubsub: false });
    const auth = new AuthManager({ ...optionsFor("HS256"), store });
    const createContext = createJwtContext(auth);
    const t = initTRPC.context<typeof createContext>().create({ transformer: superjson, errorFormatter: jwtErrorFormatter });
    const { authedProcedure } = createJwtProcedures(t);
    const router = t.router({
      events: authedProcedure.subscription(async function* ({ signal }) {
        for await (const [event] of on(idle, "event", { signal })) yield event as number;
      }),
    });
    const server = await startHttpAndWsServer(router, createContext as never);
    closers.push(() => server.close());
    const { authToken } = await auth.login("alice");
    const { link, close } = subscriptionLink<typeof router>(server, "wsLink", authToken.signed);
    closers.push(close);
    const client = createTRPCClient<typeof router>({ links: [link] });
    let started = 0;
    const ended: string[] = [];
    // In batches of 100, each checked by the guard as it starts (a start is a store lookup).
    for (let i = 0; i < SUBSCRIPTIONS; i++) {
      client.events.subscribe(undefined, {
        onStarted: () => started++,
        onError: (error) => ended.push(String(jwtErrorCode(error))),
        onComplete: () => ended.push("complete"),
      });
      if ((i + 1) % 100 === 0) for (let j = 0; j < 300 && started + ended.length <= i; j++) await sleep(20);
    }
    for (let i = 0; i < 300 && started < SUBSCRIPTIONS; i++) await sleep(100);
    expect(ended).toEqual([]);
    expect(started).toBe(SUBSCRIPTIONS);
    console.log(`${SUBSCRIPTIONS} subscriptions started`);

    await sleep(1_000); // the subscriptions' own start is over
    const before = sent;
    const startMs = performance.now();
    await sleep(IDLE_MS);
    const perSecond = (sent - before) / ((performance.now() - startMs) / 1000);
    console.log(`${SUBSCRIPTIONS} idle subscriptions of one token, pubsub: false: ${perSecond.toFixed(2)} store commands/s (bound: 2)`);
    expect(perSecond).toBeLessThanOrEqual(2);

    await auth.revokeSession(String(authToken.claims["sid"]));
    for (let i = 0; i < 100 && ended.length < SUBSCRIPTIONS; i++) await sleep(50);
    expect(ended).toEqual(Array(SUBSCRIPTIONS).fill("TOKEN_REVOKED"));
  }, 60_000);
});
