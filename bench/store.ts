// `npm run bench:store` (issue 25): the store's size follows sessions, not traffic. 1,000 logins,
// then 1,000,000 rotations spread over them (each session rotates in turn, one call at a time),
// through AuthManager.rotate on memoryStore() and on redisStore() with a real redis-server.
// The store after the rotations must stay within 1.5x of the store after the logins: Redis
// `used_memory`, and memoryStore's share of the heap after a full GC.
//
// `STORE_ROTATIONS=100000 npm run bench:store` runs fewer rotations (the default is the million).
import { AuthManager, memoryStore, type TokenStore } from "trpc-jwt";
import { redisStore } from "trpc-jwt/redis";
import { connectRedis, hasRedisServer, startRedisServer } from "../test/helpers/redisServer.js";

const SESSIONS = 1_000;
const ROTATIONS = Number(process.env["STORE_ROTATIONS"] ?? 1_000_000);
const BOUND = 1.5;
const IN_FLIGHT = 32;
const SECRET = "store-bench-secret-0123456789abcdef";
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error("run with --expose-gc (npm run bench:store does)");

interface Measured {
  readonly name: string;
  readonly empty: number;
  readonly afterLogins: number;
  readonly afterRotations: number;
  readonly seconds: number;
}

/** Logs in SESSIONS users, measures, rotates ROTATIONS times in all, measures again. */
async function run(name: string, store: TokenStore, size: () => Promise<number>): Promise<Measured> {
  // cacheSize 0: the verified-token cache (bounded, up to 10,000 tokens by default) stays out of the heap figures.
  const auth = new AuthManager({ issuer: "store-bench", authType: "HS256", secret: SECRET, store, cacheSize: 0 });
  const refresh: string[] = [];
  const empty = await size();
  for (let i = 0; i < SESSIONS; i++) refresh.push((await auth.login(`user-${i}`, "read", { plan: "pro" })).refreshToken.signed);
  const afterLogins = await size();
  const start = performance.now();
  let done = 0;
  let reported = 0;
  // IN_FLIGHT workers take the sessions in turn: a session's next turn comes SESSIONS calls
  // later, so no two calls ever rotate the same session at once.
  const worker = async () => {
    while (done < ROTATIONS) {
      const i = done++ % SESSIONS;
      refresh[i] = (await auth.rotate(refresh[i]!)).refreshToken.signed;
      if (done >= reported + ROTATIONS / 10 && (reported = done))
        console.log(`  ${name}: ${done.toLocaleString("en")} rotations, ${((performance.now() - start) / 1000).toFixed(0)} s`);
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  const seconds = (performance.now() - start) / 1000;
  return { name, empty, afterLogins, afterRotations: await size(), seconds };
}

function heapUsed(): Promise<number> {
  gc!();
  gc!();
  return Promise.resolve(process.memoryUsage().heapUsed);
}

const results: Measured[] = [];
results.push(await run("memoryStore(): heap", memoryStore(), heapUsed));
if (hasRedisServer()) {
  const server = await startRedisServer();
  const client = await connectRedis(server.url);
  const store = redisStore(client);
  const usedMemory = async () => Number(/used_memory:(\d+)/.exec(await client.sendCommand<string>(["INFO", "memory"]))![1]);
  try {
    results.push(await run("redisStore(): used_memory", store, usedMemory));
  } finally {
    await store.close();
    await client.close();
    await server.stop();
  }
}

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(2)} MiB`;
console.log(`\n${ROTATIONS.toLocaleString("en")} rotations over ${SESSIONS.toLocaleString("en")} sessions (bound: ${BOUND}x)`);
console.log("| measured | empty store | after the logins | after the rotations | ratio | bytes per session | rotations/s |");
console.log("|---|---|---|---|---|---|---|");
let failed = false;
for (const { name, empty, afterLogins, afterRotations, seconds } of results) {
  const ratio = afterRotations / afterLogins;
  failed ||= ratio > BOUND;
  // What the store holds per session at the end, above what it held empty.
  const perSession = Math.round((afterRotations - empty) / SESSIONS);
  console.log(
    `| ${name} | ${mib(empty)} | ${mib(afterLogins)} | ${mib(afterRotations)} | ${ratio.toFixed(2)}x | ${perSession} | ${Math.round(ROTATIONS / seconds)} |`,
  );
}
if (failed) {
  console.error(`FAILED: a store grew by more than ${BOUND}x`);
  process.exitCode = 1;
}
