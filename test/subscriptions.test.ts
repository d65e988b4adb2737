// Guarded subscriptions end with their token (issue #13 item 5), over a real WebSocket server
// (wsLink, token in connectionParams) and real SSE (httpSubscriptionLink through the `eventsource`
// package, whose custom fetch sends the Authorization header), both on 127.0.0.1. The one timing
// bound is the issue's: a subscription ends within one second of its token's expiry.
import { EventEmitter, on } from "node:events";
import { createTRPCClient, createWSClient, httpLink, httpSubscriptionLink, wsLink, type TRPCClientError, type TRPCLink } from "@trpc/client";
import { initTRPC } from "@trpc/server";
import { EventSource } from "eventsource";
import superjson from "superjson";
import { describe, expect, it, type ExpectStatic } from "vitest";
import { WebSocket } from "ws";
import { AuthManager, createJwtContext, createJwtProcedures } from "trpc-jwt";
import { bearerHeaders, createTokenStore, jwtErrorCode, refreshLink, wsConnectionParams } from "trpc-jwt/client";
import { testContext } from "trpc-jwt/testing";
import { fakeClock, optionsFor } from "./helpers/keys.js";
import { subscriptionLink, type Transport } from "./helpers/subscriptionLink.js";
import { startTickingApp, type TickingApp } from "./helpers/tickingApp.js";

const auth = new AuthManager(optionsFor("HS256", { authMaxAge: 60 }));
// Same issuer and key: its tokens verify with `auth`, and expire 1 to 2 seconds after issue.
const shortLived = new AuthManager(optionsFor("HS256", { authMaxAge: 2 }));

type Router = TickingApp["router"];
type App = TickingApp;
const startApp = (onTestFinished: Parameters<typeof startTickingApp>[1]) => startTickingApp(auth, onTestFinished);

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
/** Active timers (setTimeout/setInterval), counted while no sleep of ours is pending. */
const activeTimers = () => process.getActiveResourcesInfo().filter((resource) => resource === "Timeout").length;
async function eventually(check: () => boolean): Promise<boolean> {
  for (let i = 0; i < 100; i++) {
    if (check()) return true;
    await sleep(20);
  }
  return check();
}

/**
 * The link for `transport` sending the current `authToken()`: a WebSocket of its own (token in
 * connectionParams), or SSE with the bearer header; both read the token at every (re)connection.
 */
function linkFor(app: App, transport: Transport, authToken: () => string | undefined): { link: TRPCLink<Router>; webSocket?: { close(): Promise<void> } } {
  if (transport === "wsLink") {
    const wsClient = createWSClient({
      url: app.server.wsUrl,
      WebSocket: WebSocket as never,
      connectionParams: wsConnectionParams({ getAuthToken: authToken }),
    });
    app.clients.push(wsClient);
    return { link: wsLink({ client: wsClient, transformer: superjson }), webSocket: wsClient };
  }
  return {
    link: httpSubscriptionLink({
      url: app.server.httpUrl,
      transformer: superjson,
      EventSource,
      eventSourceOptions: () => ({ fetch: (url, init) => fetch(url, { ...init, headers: { ...init.headers, ...bearerHeaders(authToken)() } }) }),
    }),
  };
}

/** A typed client whose every call carries `token`: its own WebSocket, or SSE with the bearer header. */
function clientWith(app: App, transport: Transport, token: string) {
  const { link, close } = subscriptionLink<Router>(app.server, transport, token);
  app.clients.push({ close });
  return createTRPCClient<Router>({ links: [link] });
}

interface Watched {
  readonly received: number[];
  /** Resolves with the error that ended the subscription (and when), or "complete". */
  readonly ended: Promise<{ error: TRPCClientError<Router>; atMs: number } | "complete">;
  readonly started: Promise<void>;
  unsubscribe(): void;
}

function watch(client: ReturnType<typeof clientWith>, procedure: "ticks" | "adminTicks" | "observed"): Watched {
  const received: number[] = [];
  let onStarted!: () => void;
  const started = new Promise<void>((resolve) => (onStarted = resolve));
  let unsubscribe!: () => void;
  const ended = new Promise<{ error: TRPCClientError<Router>; atMs: number } | "complete">((resolve) => {
    ({ unsubscribe } = client[procedure].subscribe(undefined, {
      onStarted,
      onData: (tick) => received.push(tick),
      onError: (error) => resolve({ error, atMs: Date.now() }),
      onComplete: () => resolve("complete"),
    }));
  });
  return { received, ended, started, unsubscribe };
}

/** The subscription failed with UNAUTHORIZED TOKEN_EXPIRED, at `exp` or within 1 s after it. */
function expectExpiredWithinASecond(expect: ExpectStatic, outcome: Awaited<ReturnType<typeof watch>["ended"]>, exp: number) {
  if (outcome === "complete") throw new Error("the subscription completed instead of failing");
  expect(jwtErrorCode(outcome.error)).toBe("TOKEN_EXPIRED");
  expect(outcome.error.data?.code).toBe("UNAUTHORIZED");
  const late = outcome.atMs - exp * 1000;
  expect(late).toBeGreaterThanOrEqual(0);
  expect(late).toBeLessThan(1000);
}

/** Opens `procedure` with a token expiring 1 to 2 s in; checks it ends with TOKEN_EXPIRED within 1 s of exp. */
async function expectEndsAtExpiry(
  expect: ExpectStatic,
  app: App,
  transport: Transport,
  procedure: "ticks" | "adminTicks" | "observed",
  scope?: { admin: boolean },
) {
  const short = await shortLived.authToken("alice", scope);
  const ending = watch(clientWith(app, transport, short.signed), procedure);
  await ending.started;
  app.startTicking();
  const outcome = await ending.ended;
  expectExpiredWithinASecond(expect, outcome, short.exp);
}

const TRANSPORTS: Transport[] = ["wsLink", "httpSubscriptionLink (SSE)"];

// This test counts the process's timers: it runs alone, before the others.
describe.each(TRANSPORTS)("guarded subscriptions over %s", (transport) => {
  it("a token expiring 1-2 s in ends its subscription within 1 s of expiry with TOKEN_EXPIRED; a longer token's subscription keeps receiving; nothing is left behind", async ({
    onTestFinished,
  }) => {
    const app = await startApp(onTestFinished);
    const timersBefore = activeTimers();
    const short = await shortLived.authToken("alice");
    const long = await auth.authToken("bob");
    const ending = watch(clientWith(app, transport, short.signed), "ticks");
    const lasting = watch(clientWith(app, transport, long.signed), "ticks");
    await Promise.all([ending.started, lasting.started]);
    app.startTicking();

    const outcome = await ending.ended;
    expectExpiredWithinASecond(expect, outcome, short.exp);
    expect(app.refusals).toEqual([{ code: "TOKEN_EXPIRED", reason: "expired", path: "ticks" }]);

    const receivedAtEnd = lasting.received.length;
    expect(await eventually(() => lasting.received.length >= receivedAtEnd + 3)).toBe(true);
    // The ended subscription's procedure was stopped: only the lasting one still listens.
    expect(await eventually(() => app.ticks.listenerCount("tick") === 1)).toBe(true);

    lasting.unsubscribe();
    app.stopTicking();
    await Promise.all(app.clients.splice(0).map((client) => client.close()));
    expect(await eventually(() => app.ticks.listenerCount("tick") === 0)).toBe(true);
    // The lasting token's 60-second expiry timer went with its subscription.
    expect(await eventually(() => activeTimers() <= timersBefore)).toBe(true);
  });
});

// The tests below wait on real expiry, each with its own app, client and `expect`: they run
// concurrently, over both transports at once.
describe.concurrent.each(TRANSPORTS)("guarded subscriptions over %s", (transport) => {
  it("with two guards (authedProcedure + requireToken) the subscription ends once, with TOKEN_EXPIRED", async ({ expect, onTestFinished }) => {
    const app = await startApp(onTestFinished);
    await expectEndsAtExpiry(expect, app, transport, "adminTicks", { admin: true });
    expect(app.refusals).toEqual([{ code: "TOKEN_EXPIRED", reason: "expired", path: "adminTicks" }]);
  });

  it("an observable subscription ends with its token too, and unsubscribes from its source", async ({ expect, onTestFinished }) => {
    const app = await startApp(onTestFinished);
    await expectEndsAtExpiry(expect, app, transport, "observed");
    expect(await eventually(() => app.ticks.listenerCount("tick") === 0)).toBe(true);
  });
});

describe.concurrent.each(TRANSPORTS)("refreshLink over %s", (transport) => {
  it("a subscription ended by its token's expiry is refreshed once and subscribed again with the new token", async ({ expect, onTestFinished }) => {
    const app = await startApp(onTestFinished);
    const store = createTokenStore();
    store.setTokens({ authToken: (await shortLived.authToken("alice")).signed, refreshToken: (await auth.refreshToken("alice")).signed });
    const refreshClient = createTRPCClient<Router>({
      links: [httpLink({ url: app.server.httpUrl, transformer: superjson, headers: bearerHeaders(store.getRefreshToken) })],
    });
    const { link, webSocket } = linkFor(app, transport, store.getAuthToken);
    const client = createTRPCClient<Router>({ links: [refreshLink({ store, refresh: () => refreshClient.refresh.mutate(), webSocket }), link] });
    app.refreshes.count = 0;
    const short = store.getAuthToken();
    const lasting = watch(client, "ticks");
    await lasting.started;
    app.startTicking();
    const expiresAtMs = (JSON.parse(Buffer.from(short!.split(".")[1]!, "base64url").toString()) as { exp: number }).exp * 1000;
    // Still receiving a while after its first token expired, on the refreshed one.
    await sleep(Math.max(0, expiresAtMs + 300 - Date.now()));
    const atExpiry = lasting.received.length;
    expect(await eventually(() => lasting.received.length >= atExpiry + 3)).toBe(true);
    expect(app.refreshes.count).toBe(1);
    expect(store.getAuthToken()).not.toBe(short);
    lasting.unsubscribe();
    const outcome = await Promise.race([lasting.ended, sleep(100).then(() => "open" as const)]);
    expect(outcome).not.toMatchObject({ error: expect.anything() });
  });
});

describe("the expiry timer", () => {
  it("a token valid for 30 days does not end its subscription at once (timers re-armed in steps below 2^31 ms)", async () => {
    const ticks = new EventEmitter();
    const clock = fakeClock(Date.now());
    const monthly = new AuthManager(optionsFor("HS256", { authMaxAge: 30 * 86_400, clock: clock.now }));
    const monthlyRouter = (() => {
      const context = createJwtContext(monthly);
      const tm = initTRPC.context<typeof context>().create();
      const procedures = createJwtProcedures(tm);
      return tm.router({
        ticks: procedures.authedProcedure.subscription(async function* ({ signal }) {
          for await (const [tick] of on(ticks, "tick", { signal })) yield tick as number;
        }),
      });
    })();
    // setTimeout clamps a delay of 2^31 ms or more to 1 ms, with this warning.
    const overflows: Error[] = [];
    const onWarning = (warning: Error) => warning.name === "TimeoutOverflowWarning" && overflows.push(warning);
    process.on("warning", onWarning);
    const iterable = await monthlyRouter.createCaller(await testContext(monthly, { sub: "alice" })).ticks();
    const iterator = iterable[Symbol.asyncIterator]();
    const first = iterator.next();
    await sleep(50);
    ticks.emit("tick", 1);
    expect(await first).toEqual({ done: false, value: 1 });
    const second = iterator.next();
    await sleep(50);
    ticks.emit("tick", 2);
    expect(await second).toEqual({ done: false, value: 2 });
    await iterator.return?.();
    process.off("warning", onWarning);
    expect(overflows).toEqual([]);
    expect(ticks.listenerCount("tick")).toBe(0);
  });
});
