// `npm run bench:soak`: verifies 1,000,000 distinct valid tokens with a default AuthManager (cache
// on) and reports memory at 100k, 500k and 1M. Memory must not grow with the number of tokens:
// the cache is bounded, and nothing else may keep a token alive.
import { createHmac, randomUUID } from "node:crypto";
import { AuthManager } from "trpc-jwt";

const TOTAL = Number(process.env["SOAK_TOKENS"] ?? 1_000_000);
const CHECKPOINTS = [100_000, 500_000, 1_000_000].filter((n) => n <= TOTAL);
const IN_FLIGHT = 64;
// The bound this soak holds the process to: heap after a full GC, at every checkpoint.
const HEAP_BOUND_MIB = 64;
const SECRET = "soak-test-secret-0123456789abcdef";
const auth = new AuthManager({ issuer: "soak", authType: "HS256", secret: SECRET });
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error("run with --expose-gc (npm run bench:soak does)");

const header = Buffer.from(JSON.stringify({ alg: "HS256", typ: "JWT" })).toString("base64url");
const iat = Math.floor(Date.now() / 1000);
function token(n: number): string {
  const payload = Buffer.from(JSON.stringify({ iss: "soak", iat, exp: iat + 3600, sub: `user-${n}`, type: "auth", jti: randomUUID(), scope: { n } })).toString("base64url");
  const input = `${header}.${payload}`;
  return `${input}.${createHmac("sha256", SECRET).update(input).digest("base64url")}`;
}

const mib = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
let peakRss = 0;
let peakHeap = 0;
let next = 0;
let verified = 0;
const started = performance.now();
const report: string[] = [];
let worst = 0;

async function worker(): Promise<void> {
  while (next < TOTAL) {
    const n = next++;
    // Each token is verified twice, so it is admitted to the cache: the worst case for memory.
    const signed = token(n);
    await auth.verifyToken(signed, "auth");
    await auth.verifyToken(signed, "auth");
    verified++;
    if (verified % 10_000 === 0) {
      const { rss, heapUsed } = process.memoryUsage();
      peakRss = Math.max(peakRss, rss);
      peakHeap = Math.max(peakHeap, heapUsed);
    }
    if (CHECKPOINTS.includes(verified)) {
      gc!();
      const { rss, heapUsed } = process.memoryUsage();
      worst = Math.max(worst, heapUsed);
      report.push(`| ${verified.toLocaleString("en-US").padStart(9)} | ${mib(peakRss).padStart(13)} | ${mib(peakHeap).padStart(14)} | ${mib(heapUsed).padStart(19)} | ${mib(rss).padStart(17)} | ${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s |`);
    }
  }
}

await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
console.log(`# Soak: ${TOTAL.toLocaleString("en-US")} distinct valid tokens, each verified twice (so each is cached), ${IN_FLIGHT} in flight`);
console.log(`Node ${process.version}; cache size ${10_000} (default)\n`);
console.log("|    tokens | peak RSS, MiB | peak heap, MiB | heap after GC, MiB | RSS after GC, MiB | time |");
console.log("|----------:|--------------:|---------------:|-------------------:|------------------:|-----:|");
for (const line of report) console.log(line);
console.log(`\nBound: heap after GC <= ${HEAP_BOUND_MIB} MiB at every checkpoint: ${worst <= HEAP_BOUND_MIB * 1024 * 1024 ? "held" : "EXCEEDED"} (worst ${mib(worst)} MiB).`);
process.exitCode = worst <= HEAP_BOUND_MIB * 1024 * 1024 ? 0 : 1;
