// Issue #29: how long after `revokeOtherSessions` returns the other sessions stop working in the
// other processes: their open WebSocket and SSE subscriptions end, and their HTTP calls are
// refused. Three managers in this process, each with its own Redis connections (commands and
// the revocation channel), as three server processes would have; a real redis-server on
// 127.0.0.1. Reports; asserts nothing (the contract: within 100 ms). Alone:
// node --import tsx bench/bundled.ts bench/revokeOthers.ts
import { createTRPCClient, httpLink } from "@trpc/client";
import superjson from "superjson";
import { AuthManager } from "trpc-jwt";
import { jwtErrorCode } from "trpc-jwt/client";
import { redisStore, type RedisTokenStore } from "trpc-jwt/redis";
import { connectRedis, hasRedisServer, startRedisServer } from "../test/helpers/redisServer.js";
import { createSessionApp, type SessionRouter } from "../test/helpers/sessionApp.js";
import { subscriptionLink, type Transport } from "../test/helpers/subscriptionLink.js";
import { startHttpAndWsServer } from "../test/helpers/wsServer.js";

const ROUNDS = 30;
const SECRET = "bench-revoke-others-secret-32-bytes!";

type Server = Awaited<ReturnType<typeof startHttpAndWsServer>>;
const client = (url: string, token: string) =>
  createTRPCClient<SessionRouter>({ links: [httpLink({ url, transformer: superjson, headers: { authorization: `Bearer ${token}` } })] });

// An idle subscription; resolves when it ends (performance.now()).
async function subscription(server: Server, token: string, transport: Transport) {
  const { link, close } = subscriptionLink<SessionRouter>(server, transport, token);
  let onStarted!: () => void;
  const started = new Promise<void>((resolve) => (onStarted = resolve));
  const ended = new Promise<number>((resolve) => {
    createTRPCClient<SessionRouter>({ links: [link] }).idle.subscribe(undefined, {
      onStarted,
      onError: (error) => resolve(jwtErrorCode(error) === "TOKEN_REVOKED" ? performance.now() : NaN),
    });
  });
  await started;
  return { ended, close };
}

// When requests sent back to back from `fromMs` on start being refused (ms after `fromMs`).
async function refusedAfter(url: string, token: string, fromMs: number): Promise<number> {
  while (performance.now() - fromMs < 2000) {
    const sentMs = performance.now() - fromMs;
    const refused = await client(url, token)
      .me.query()
      .then(
        () => false,
        () => true,
      );
    if (refused) return sentMs;
  }
  return NaN;
}

const stats = (values: number[]) => {
  const sorted = values.filter((value) => !Number.isNaN(value)).sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
  return `${at(0.5).toFixed(1)} | ${at(0.95).toFixed(1)} | ${(sorted.at(-1) ?? NaN).toFixed(1)} | ${values.length - sorted.length}`;
};

/** The section of `npm run bench`, as markdown. */
export async function revokeOthersLatency(): Promise<string> {
  if (!hasRedisServer()) return "## revokeOtherSessions across processes (issue #29)\n\nSkipped: no redis-server.";
  const redis = await startRedisServer();
  const clients = await Promise.all([0, 1, 2].map(() => connectRedis(redis.url)));
  const stores: RedisTokenStore[] = clients.map((c) => redisStore(c));
  await Promise.all(stores.map((store) => store.ready()));
  const managers = stores.map((store) => new AuthManager({ issuer: "bench", authType: "HS256", secret: SECRET, store }));
  const apps = managers.slice(1).map((auth) => createSessionApp(auth));
  const servers = await Promise.all(apps.map((app) => startHttpAndWsServer(app.router, app.createContext)));
  const [b, c] = servers as [Server, Server];
  const rows = { call: [] as number[], ws: [] as number[], sse: [] as number[], http: [] as number[] };
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const sub = `user-${round}`;
      const [mine, phone, laptop] = [await managers[0]!.login(sub), await managers[1]!.login(sub), await managers[2]!.login(sub)];
      // Both tokens in use in the processes that will have to refuse them (their verdicts remembered).
      await client(b.httpUrl, phone.authToken.signed).me.query();
      await client(c.httpUrl, laptop.authToken.signed).me.query();
      const ws = await subscription(b, phone.authToken.signed, "wsLink");
      const sse = await subscription(c, laptop.authToken.signed, "httpSubscriptionLink (SSE)");
      const startedMs = performance.now();
      await managers[0]!.revokeOtherSessions(mine.authToken);
      const returnedMs = performance.now();
      rows.call.push(returnedMs - startedMs);
      rows.http.push(await refusedAfter(c.httpUrl, phone.authToken.signed, returnedMs));
      rows.ws.push((await ws.ended) - returnedMs);
      rows.sse.push((await sse.ended) - returnedMs);
      await ws.close();
      await sse.close();
    }
  } finally {
    for (const server of servers) await server.close();
    for (const store of stores) await store.close();
    for (const c of clients) await c.close();
    await redis.stop();
  }
  return [
    "## revokeOtherSessions across processes (issue #29)\n",
    `${ROUNDS} rounds: a caller's manager revokes the other two sessions of its subject; the other two managers (own Redis connections, own HTTP/WebSocket servers on 127.0.0.1) hold an open subscription of each and had the tokens in use. Times in ms after \`revokeOtherSessions\` returned (target: within 100 ms).\n`,
    "| measured | median | p95 | max | not ended |",
    "|---|--:|--:|--:|--:|",
    `| the call itself (one Lua script) | ${stats(rows.call)} |`,
    `| HTTP: requests refused from (sent back to back) | ${stats(rows.http)} |`,
    `| WebSocket subscription ended (TOKEN_REVOKED at the client) | ${stats(rows.ws)} |`,
    `| SSE subscription ended (TOKEN_REVOKED at the client) | ${stats(rows.sse)} |`,
  ].join("\n");
}

// Run alone it prints its section (see idleSubscriptions.ts for why the check is on the name).
if (/revokeOthers(\.ts|-ts\.mjs)$/.test(process.argv[1] ?? "")) console.log(await revokeOthersLatency());
