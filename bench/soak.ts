// `npm run bench:soak`: verifies 1,000,000 distinct valid tokens with a default AuthManager (cache
// on) and reports memory at 100k, 500k and 1M. Memory must not grow with the number of tokens:
// the cache is bounded, and nothing else may keep a token alive.
//
// `npm run bench:soak -- --padded-cookies`: 100,000 distinct tokens, each sent twice in its own
// 16 KiB padded Cookie header through `ctx.jwt` (issue #17, finding 1). A cached token cut out of
// a header must not keep the header alive: what the soak retains must stay within the cache's own
// byte bound (and the heap within the same bound as unpadded).
import { createHmac, randomUUID } from "node:crypto";
import { AuthManager, createJwtContext } from "trpc-jwt";
import { BYTES_PER_ENTRY } from "../src/tokens/TokenCache.js";

const PADDED = process.argv.includes("--padded-cookies");
const TOTAL = Number(process.env["SOAK_TOKENS"] ?? (PADDED ? 100_000 : 1_000_000));
const CHECKPOINTS = (PADDED ? [10_000, 50_000, 100_000] : [100_000, 500_000, 1_000_000]).filter((n) => n <= TOTAL);
const IN_FLIGHT = 64;
const CACHE_SIZE = 10_000; // the default
const PADDING = "x".repeat(16 * 1024);
// The bounds this soak holds the process to, after a full GC at every checkpoint: the whole heap,
// and what the run retains above the heap it started with (the cache's byte bound).
const HEAP_BOUND_MIB = 64;
const RETAINED_BOUND_MIB = (CACHE_SIZE * BYTES_PER_ENTRY) / 1024 / 1024;
const SECRET = "soak-test-secret-0123456789abcdef";
const auth = new AuthManager({ issuer: "soak", authType: "HS256", secret: SECRET });
const createContext = createJwtContext(auth);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error("run with --expose-gc (npm run bench:soak does)");

const header = Buffer.from(JSON.stringify({ alg: "HS256", typ: "JWT" })).toString("base64url");
const iat = Math.floor(Date.now() / 1000);
function token(n: number): string {
  const payload = Buffer.from(JSON.stringify({ iss: "soak", iat, exp: iat + 3600, sub: `user-${n}`, type: "auth", jti: randomUUID(), scope: { n } })).toString(
    "base64url",
  );
  const input = `${header}.${payload}`;
  return `${input}.${createHmac("sha256", SECRET).update(input).digest("base64url")}`;
}

// One request: unpadded, the token itself; padded, a Cookie header of its own (as each HTTP
// request has), which trpc-jwt cuts the token out of.
function verifyOnce(signed: string): Promise<unknown> {
  if (!PADDED) return auth.verifyToken(signed, "auth");
  const cookie = `session=${PADDING}; auth=${signed}; theme=dark`;
  return createContext({ req: { headers: { cookie }, rawHeaders: ["Cookie", cookie] } }).jwt.token({ cookie: "auth" });
}

const mib = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
let peakRss = 0;
let peakHeap = 0;
let next = 0;
let verified = 0;
gc();
const baseline = process.memoryUsage().heapUsed;
const started = performance.now();
const report: string[] = [];
let worst = 0;

async function worker(): Promise<void> {
  while (next < TOTAL) {
    const n = next++;
    // Each token is verified twice, so it is admitted to the cache: the worst case for memory.
    const signed = token(n);
    await verifyOnce(signed);
    await verifyOnce(signed);
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
      report.push(
        `| ${verified.toLocaleString("en-US").padStart(9)} | ${mib(peakRss).padStart(13)} | ${mib(peakHeap).padStart(14)} | ${mib(heapUsed).padStart(19)} | ${mib(heapUsed - baseline).padStart(18)} | ${mib(rss).padStart(17)} | ${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s |`,
      );
    }
  }
}

await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
const what = PADDED ? "each sent twice in its own 16 KiB padded Cookie header through ctx.jwt" : "each verified twice (so each is cached)";
console.log(`# Soak: ${TOTAL.toLocaleString("en-US")} distinct valid tokens, ${what}, ${IN_FLIGHT} in flight`);
console.log(
  `Node ${process.version}; cache ${CACHE_SIZE.toLocaleString("en-US")} entries, ${RETAINED_BOUND_MIB.toFixed(1)} MiB estimated (the defaults); heap at start ${mib(baseline)} MiB\n`,
);
console.log("|    tokens | peak RSS, MiB | peak heap, MiB | heap after GC, MiB | retained, MiB      | RSS after GC, MiB | time |");
console.log("|----------:|--------------:|---------------:|-------------------:|-------------------:|------------------:|-----:|");
for (const line of report) console.log(line);
const heapHeld = worst <= HEAP_BOUND_MIB * 1024 * 1024;
const retainedHeld = worst - baseline <= RETAINED_BOUND_MIB * 1024 * 1024;
console.log(`\nBound: heap after GC <= ${HEAP_BOUND_MIB} MiB at every checkpoint: ${heapHeld ? "held" : "EXCEEDED"} (worst ${mib(worst)} MiB).`);
console.log(
  `Bound: retained above the starting heap <= the cache's ${RETAINED_BOUND_MIB.toFixed(1)} MiB: ${retainedHeld ? "held" : "EXCEEDED"} (worst ${mib(worst - baseline)} MiB).`,
);
process.exitCode = heapHeld && retainedHeld ? 0 : 1;
