// Issue #23, finding 1: idle subscriptions whose token is past `exp` but still valid by the
// issuer's `clockTolerance` (300 s) must cost next to nothing, and each must still end within a
// second of `exp + clockTolerance`. 4,000 subscriptions of one account on one WebSocket, to a
// server in this process on 127.0.0.1; CPU is the process's (`process.cpuUsage()`, all threads)
// over wall time. Reports; asserts nothing. Alone: node --import tsx bench/bundled.ts bench/idleSubscriptions.ts
import { createTRPCClient, createWSClient, wsLink } from "@trpc/client";
import { initTRPC } from "@trpc/server";
import { WebSocket } from "ws";
import { AuthManager, createJwtContext, createJwtProcedures, jwtErrorFormatter } from "trpc-jwt";
import { jwtErrorCode } from "trpc-jwt/client";
import { idle } from "../test/helpers/endingSubscription.js";
import { startHttpAndWsServer } from "../test/helpers/wsServer.js";

const SECRET = "benchmark-secret-0123456789abcdef";
const SUBSCRIPTIONS = Number(process.env["IDLE_SUBSCRIPTIONS"] ?? 4_000);
const TOLERANCE = 300;
const LIFETIME = 7_200;
const WINDOW_MS = Number(process.env["IDLE_WINDOW_MS"] ?? 10_000);

const auth = new AuthManager({ issuer: "bench", authType: "HS256", secret: SECRET, clockTolerance: TOLERANCE });
// When the server ends each subscription: the guard reports the refusal as it ends it.
const serverEnds: number[] = [];
const createContext = createJwtContext(auth, { onRefused: () => void serverEnds.push(Date.now()) });
const t = initTRPC.context<typeof createContext>().create({ errorFormatter: jwtErrorFormatter });
const router = t.router({ idle: createJwtProcedures(t).authedProcedure.subscription(idle) });

/** A token of "alice" whose `exp + clockTolerance` is `msFromNow` away (its `exp` 2 h after its `iat`, never ahead of now). */
async function tokenEndingIn(msFromNow: number): Promise<{ signed: string; endsAtMs: number }> {
  const issuedAt = Date.now() + msFromNow - (TOLERANCE + LIFETIME) * 1000;
  const issuer = new AuthManager({ issuer: "bench", authType: "HS256", secret: SECRET, authMaxAge: LIFETIME, clock: () => issuedAt });
  const token = await issuer.authToken("alice");
  return { signed: token.signed, endsAtMs: (token.exp + TOLERANCE) * 1000 };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Process CPU time over `ms` of wall time, as a percentage of one core. */
async function busy(ms: number): Promise<number> {
  const before = process.cpuUsage();
  const start = performance.now();
  await sleep(ms);
  const cpu = process.cpuUsage(before);
  return ((cpu.user + cpu.system) / 1000 / (performance.now() - start)) * 100;
}

/** Opens `count` subscriptions with `signed` on one WebSocket; resolves when all have started. */
async function subscribeAll(wsUrl: string, signed: string, count: number) {
  const wsClient = createWSClient({ url: wsUrl, WebSocket: WebSocket as never, connectionParams: () => ({ token: signed }) });
  const client = createTRPCClient<typeof router>({ links: [wsLink({ client: wsClient })] });
  const endings: { code: string | undefined; atMs: number }[] = [];
  const subscriptions = await Promise.all(
    Array.from({ length: count }, () => {
      let subscription!: { unsubscribe(): void };
      const started = new Promise<void>((resolve, reject) => {
        const onStarted = () => resolve();
        // Before it started: the token was refused, and the measure would be of nothing.
        const onError = (error: unknown) => (endings.push({ code: jwtErrorCode(error), atMs: Date.now() }), reject(error as Error));
        subscription = client.idle.subscribe(undefined, { onStarted, onError });
      });
      return started.then(() => subscription);
    }),
  );
  return {
    endings,
    async close() {
      for (const subscription of subscriptions) subscription.unsubscribe();
      await wsClient.close();
    },
  };
}

/**
 * The same ends without a socket: `SUBSCRIPTIONS` subscriptions through `createCaller`, so only
 * trpc-jwt and tRPC's core are measured. Resolves with the process CPU time (ms) and the wall
 * time (ms after `exp + clockTolerance`) by which all of them had ended.
 */
async function endsThroughCaller(): Promise<{ cpuMs: number; lastMs: number }> {
  const { signed, endsAtMs } = await tokenEndingIn(10_000);
  const ctx = createContext({ req: new Request("http://127.0.0.1/", { headers: { authorization: `Bearer ${signed}` } }) } as never);
  let ended = 0;
  let lastAt = 0;
  for (let i = 0; i < SUBSCRIPTIONS; i++) {
    const abort = new AbortController();
    const iterator = (await router.createCaller(ctx, { signal: abort.signal }).idle())[Symbol.asyncIterator]();
    iterator.next().catch(() => {
      ended++;
      lastAt = Date.now();
      abort.abort();
    });
  }
  await sleep(Math.max(0, endsAtMs - Date.now() - 500));
  const before = process.cpuUsage();
  while (ended < SUBSCRIPTIONS) await sleep(10);
  const cpu = process.cpuUsage(before);
  return { cpuMs: (cpu.user + cpu.system) / 1000, lastMs: lastAt - endsAtMs };
}

/** The section of `npm run bench`, as markdown. */
export async function idleSubscriptions(): Promise<string> {
  const server = await startHttpAndWsServer(router, createContext);
  try {
    const lines = [
      `## Idle subscriptions inside the clock tolerance (issue #23, finding 1)\n`,
      `${SUBSCRIPTIONS.toLocaleString("en-US")} subscriptions of one account on one WebSocket (server in this process, 127.0.0.1), \`clockTolerance: ${TOLERANCE}\`, nothing sent. CPU is process CPU time over ${WINDOW_MS / 1000} s of wall time (target: under 2% of a core).\n`,
      "| case | CPU, % of a core |",
      "|---|--:|",
    ];
    await sleep(500);
    lines.push(`| no subscriptions (the process idle) | ${(await busy(WINDOW_MS)).toFixed(2)}% |`);
    for (const [name, msFromNow] of [
      [`${SUBSCRIPTIONS.toLocaleString("en-US")} subscriptions, tokens 10 s past exp (inside the tolerance)`, (TOLERANCE - 10) * 1000],
      [`${SUBSCRIPTIONS.toLocaleString("en-US")} subscriptions, tokens 1 h before exp`, (TOLERANCE + 3600) * 1000],
    ] as const) {
      const { signed } = await tokenEndingIn(msFromNow);
      const open = await subscribeAll(server.wsUrl, signed, SUBSCRIPTIONS);
      await sleep(1_000);
      lines.push(`| ${name} | ${(await busy(WINDOW_MS)).toFixed(2)}% |`);
      await open.close();
    }
    // The ends: tokens whose exp + clockTolerance comes 20 s after they are issued.
    serverEnds.length = 0;
    const { signed, endsAtMs } = await tokenEndingIn(20_000);
    const open = await subscribeAll(server.wsUrl, signed, SUBSCRIPTIONS);
    const openedBy = endsAtMs - Date.now();
    await sleep(Math.max(0, openedBy - 500));
    const cpuBefore = process.cpuUsage();
    while (open.endings.length < SUBSCRIPTIONS && Date.now() < endsAtMs + 10_000) await sleep(50);
    const cpu = process.cpuUsage(cpuBefore);
    const late = open.endings.map((ending) => ending.atMs - endsAtMs);
    const serverLate = serverEnds.map((atMs) => atMs - endsAtMs);
    const expired = open.endings.filter((ending) => ending.code === "TOKEN_EXPIRED").length;
    await open.close();
    lines.push(
      "",
      `Ends: ${SUBSCRIPTIONS.toLocaleString("en-US")} subscriptions opened ${(openedBy / 1000).toFixed(1)} s before exp + clockTolerance; ${expired.toLocaleString("en-US")} ended with TOKEN_EXPIRED, ${open.endings.length - expired} otherwise, ${SUBSCRIPTIONS - open.endings.length} still open 10 s later; ` +
        `the server ended the first ${Math.min(...serverLate)} ms and the last ${Math.max(...serverLate)} ms after exp + clockTolerance; ` +
        `the client saw the first end ${Math.min(...late)} ms and the last ${Math.max(...late)} ms after it (target: within 1,000 ms, never before). ` +
        `Ending them all took ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms of process CPU time (server and client), ${((cpu.user + cpu.system) / SUBSCRIPTIONS).toFixed(0)} µs per subscription.`,
    );
    const caller = await endsThroughCaller();
    lines.push(
      "",
      `The same ends through \`createCaller\` (no socket, no client: trpc-jwt and tRPC's core only): the last of ${SUBSCRIPTIONS.toLocaleString("en-US")} ended ${caller.lastMs} ms after exp + clockTolerance, ${caller.cpuMs.toFixed(0)} ms of process CPU time, ${((caller.cpuMs * 1000) / SUBSCRIPTIONS).toFixed(0)} µs per subscription.`,
    );
    return lines.join("\n");
  } finally {
    await server.close();
  }
}

// Run alone (this file, or its bundle from bench/bundled.ts) it prints its section. Bundled into
// `npm run bench`, import.meta.url is the bundle's, which is also the process's main script: so
// the check is on the entry's name, not on the URL.
if (/idleSubscriptions(\.ts|-ts\.mjs)$/.test(process.argv[1] ?? "")) console.log(await idleSubscriptions());
