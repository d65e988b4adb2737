// Guarded subscriptions end when their token is revoked (design section 5, with section 3's
// stores), over a real WebSocket server and real SSE on 127.0.0.1: within one second, with
// TOKEN_REVOKED; other subscriptions carry on; nothing is left watching afterwards.
import { EventEmitter, on } from "node:events";
import { createTRPCClient, type TRPCClientError } from "@trpc/client";
import { initTRPC } from "@trpc/server";
import superjson from "superjson";
import { afterAll, describe, expect, it, type OnTestFinishedHandler } from "vitest";
import { AuthManager, createJwtContext, createJwtProcedures, jwtErrorFormatter, memoryStore, type TokenStore } from "trpc-jwt";
import { jwtErrorCode } from "trpc-jwt/client";
import { optionsFor } from "./helpers/keys.js";
import { hasRedisServer } from "./helpers/redisServer.js";
import { useRedisStores } from "./helpers/useRedisStores.js";
import { subscriptionLink, type Transport } from "./helpers/subscriptionLink.js";
import { startHttpAndWsServer } from "./helpers/wsServer.js";

// Every app's tick source, each test's own: nothing may be left listening to any at the end.
const tickSources: EventEmitter[] = [];
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
async function eventually(check: () => boolean): Promise<boolean> {
  for (let i = 0; i < 100; i++) {
    if (check()) return true;
    await sleep(20);
  }
  return check();
}

function appWith(store: TokenStore) {
  const ticks = new EventEmitter();
  tickSources.push(ticks);
  const auth = new AuthManager({ ...optionsFor("HS256"), store });
  const createContext = createJwtContext(auth);
  const t = initTRPC.context<typeof createContext>().create({ transformer: superjson, errorFormatter: jwtErrorFormatter });
  const { authedProcedure } = createJwtProcedures(t);
  const router = t.router({
    ticks: authedProcedure.subscription(async function* ({ signal }) {
      for await (const [tick] of on(ticks, "tick", { signal })) yield tick as number;
    }),
  });
  return { auth, router, createContext, ticks };
}
type Router = ReturnType<typeof appWith>["router"];

/**
 * What a test opened, closed in reverse order when it ends: `onTestFinished` is the test's own,
 * from its context (vitest's global one may name another test while tests run concurrently).
 */
function closersOf(onTestFinished: (handler: OnTestFinishedHandler) => void): (() => Promise<void> | void)[] {
  const closers: (() => Promise<void> | void)[] = [];
  onTestFinished(async () => {
    for (const close of closers.splice(0).reverse()) await close();
  });
  return closers;
}

async function subscribed(
  closers: (() => Promise<void> | void)[],
  router: Router,
  createContext: (opts: never) => unknown,
  transport: Transport,
  token: string,
) {
  const server = await startHttpAndWsServer(router, createContext);
  closers.push(() => server.close());
  const { link, close } = subscriptionLink<Router>(server, transport, token);
  closers.push(close);
  const client = createTRPCClient<Router>({ links: [link] });
  const received: number[] = [];
  let onStarted!: () => void;
  const started = new Promise<void>((resolve) => (onStarted = resolve));
  let unsubscribe!: () => void;
  const ended = new Promise<{ error: TRPCClientError<Router>; atMs: number } | "complete">((resolve) => {
    ({ unsubscribe } = client.ticks.subscribe(undefined, {
      onStarted,
      onData: (tick) => received.push(tick),
      onError: (error) => resolve({ error, atMs: performance.now() }),
      onComplete: () => resolve("complete"),
    }));
  });
  closers.push(() => unsubscribe());
  await started;
  return { received, ended };
}

// Each test has its own app, tick source, ticker and subscriptions, and asserts with its own
// `expect`: the six (two transports over three stores) run concurrently.
function revocationEndsSubscriptions(openStore: () => Promise<TokenStore>, label: string) {
  describe.concurrent.each<Transport>(["wsLink", "httpSubscriptionLink (SSE)"])(`with ${label}, over %s`, (transport) => {
    it("revokeSession in another manager on the store ends that session's subscription within 1 s with TOKEN_REVOKED; another session's keeps receiving", async ({
      expect,
      onTestFinished,
    }) => {
      const closers = closersOf(onTestFinished);
      const { auth, router, createContext, ticks } = appWith(await openStore());
      // Another server process, as far as the store can tell: its own manager and connection.
      const elsewhere = new AuthManager({ ...optionsFor("HS256"), store: await openStore() });
      const alice = await auth.login("alice");
      const bob = await auth.login("bob");
      const ending = await subscribed(closers, router, createContext as never, transport, alice.authToken.signed);
      const lasting = await subscribed(closers, router, createContext as never, transport, bob.authToken.signed);
      let tick = 0;
      const ticker = setInterval(() => ticks.emit("tick", ++tick), 50);
      closers.unshift(() => clearInterval(ticker)); // stopped before the rest is closed
      expect(await eventually(() => ending.received.length > 0 && lasting.received.length > 0)).toBe(true);

      const revokedAt = performance.now();
      await elsewhere.revokeSession(String(alice.authToken.claims["sid"]));
      const outcome = await ending.ended;
      if (outcome === "complete") throw new Error("the subscription completed instead of failing");
      expect(jwtErrorCode(outcome.error)).toBe("TOKEN_REVOKED");
      expect(outcome.error.data?.code).toBe("UNAUTHORIZED");
      const after = outcome.atMs - revokedAt;
      console.log(`${label}, ${transport}: subscription ended ${after.toFixed(1)} ms after revokeSession (bound: 1000 ms)`);
      expect(after).toBeLessThan(1000);

      const receivedAtEnd = lasting.received.length;
      expect(await eventually(() => lasting.received.length >= receivedAtEnd + 3)).toBe(true);
      expect(await eventually(() => ticks.listenerCount("tick") === 1)).toBe(true);
    });
  });
}

const shared = memoryStore(); // one process: every manager on it sees the same store
revocationEndsSubscriptions(async () => shared, "memoryStore()");

describe.runIf(hasRedisServer()).concurrent("subscriptions with Redis", () => {
  const redis = useRedisStores();
  const asked = useRedisStores({ pubsub: false });
  revocationEndsSubscriptions(redis.open, "redisStore() (announced)");
  // No announcements: the watched token is polled, still within the second.
  revocationEndsSubscriptions(asked.open, "redisStore({ pubsub: false }) (polled)");
});

afterAll(() => expect(tickSources.map((ticks) => ticks.listenerCount("tick"))).toEqual(tickSources.map(() => 0)));
