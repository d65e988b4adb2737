// `npm run loadtest`: the example server in its own process, driven over real HTTP by autocannon,
// one traffic mix at a time and then all together, with every response checked against the
// decision it must get. It reports speed and memory; it fails only on a wrong decision, a 5xx, or
// a server that does not come back from a fault.
import { randomBytes } from "node:crypto";
import { request } from "node:http";
import { connect, type Socket } from "node:net";
import autocannon from "autocannon";
import { tokenCategories, type Category } from "./loadtest/categories.js";
import { isDecision } from "./loadtest/decisions.js";
import { startServerProcess } from "./loadtest/serverProcess.js";

const SECONDS = Number(process.env["LOADTEST_SECONDS"] ?? 4);
const CONNECTIONS = 16;
// Larger than the server's verified-token cache (10,000 by default): first-seen stays first-seen.
const FIRST_SEEN_POOL = 30_000;
// Stated bound on the server's peak RSS: the cache is bounded in entries and bytes, so memory must
// not grow with the number of distinct tokens sent.
const PEAK_RSS_BOUND_MIB = 400;

interface Tally {
  responses: number;
  wrong: number;
  serverErrors: number;
}

interface RunResult {
  readonly label: string;
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly errors: number;
  readonly tallies: ReadonlyMap<string, Tally>;
}

async function run(label: string, url: string, categories: readonly Category[], seconds: number): Promise<RunResult> {
  if (categories.every((c) => c.closesConnection)) return runOneShot(label, url, categories, seconds);
  categories = categories.filter((c) => !c.closesConnection);
  const tallies = new Map(categories.map((c) => [c.name, { responses: 0, wrong: 0, serverErrors: 0 }]));
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: seconds,
    requests: categories.map((category) => ({
      method: "GET" as const,
      setupRequest: (request: autocannon.Request) => {
        const { path, headers } = category.next();
        return { ...request, path, headers };
      },
      onResponse: (status: number, body: string) => {
        const tally = tallies.get(category.name) as Tally;
        tally.responses++;
        if (status >= 500) tally.serverErrors++;
        if (!isDecision(category.expect, status, body)) tally.wrong++;
      },
    })),
  });
  return { label, rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, errors: result.errors + result.timeouts, tallies };
}

/** Categories whose answer closes the connection: one fresh connection per request, a few at a time. */
async function runOneShot(label: string, url: string, categories: readonly Category[], seconds: number): Promise<RunResult> {
  const tallies = new Map(categories.map((c) => [c.name, { responses: 0, wrong: 0, serverErrors: 0 }]));
  const latencies: number[] = [];
  const until = Date.now() + seconds * 1000;
  let errors = 0;
  const worker = async (category: Category) => {
    const tally = tallies.get(category.name) as Tally;
    while (Date.now() < until) {
      const { path, headers } = category.next();
      const sent = performance.now();
      await new Promise<void>((resolve) => {
        const req = request(new URL(path, url), { headers, agent: false }, (res) => {
          let body = "";
          res.on("data", (chunk: Buffer) => (body += chunk.toString()));
          res.on("end", () => {
            latencies.push(performance.now() - sent);
            tally.responses++;
            if ((res.statusCode ?? 0) >= 500) tally.serverErrors++;
            if (!isDecision(category.expect, res.statusCode ?? 0, body)) tally.wrong++;
            resolve();
          });
        });
        req.on("error", () => {
          errors++;
          resolve();
        });
        req.end();
      });
    }
  };
  await Promise.all(categories.flatMap((c) => Array.from({ length: 4 }, () => worker(c))));
  latencies.sort((a, b) => a - b);
  const at = (q: number) => Math.round(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0);
  return { label, rps: latencies.length / seconds, p50: at(0.5), p99: at(0.99), errors, tallies };
}

/** Opens `count` connections that send nothing, as a slow or hostile client would. */
async function idleConnections(url: string, count: number): Promise<Socket[]> {
  const { hostname, port } = new URL(url);
  const sockets: Socket[] = [];
  for (let i = 0; i < count; i++) {
    sockets.push(
      await new Promise<Socket>((resolve, reject) => {
        const socket = connect(Number(port), hostname, () => resolve(socket));
        socket.once("error", reject);
      }),
    );
  }
  return sockets;
}

const pad = (value: string | number, width: number) => String(value).padStart(width);

function printRuns(runs: readonly RunResult[]): void {
  console.log(`\n${"mix".padEnd(42)}${pad("req/s", 9)}${pad("p50 ms", 8)}${pad("p99 ms", 8)}${pad("responses", 11)}${pad("wrong", 7)}${pad("5xx", 5)}`);
  for (const r of runs) {
    let responses = 0;
    let wrong = 0;
    let serverErrors = 0;
    for (const t of r.tallies.values()) {
      responses += t.responses;
      wrong += t.wrong;
      serverErrors += t.serverErrors;
    }
    console.log(`${r.label.padEnd(42)}${pad(Math.round(r.rps), 9)}${pad(r.p50, 8)}${pad(r.p99, 8)}${pad(responses, 11)}${pad(wrong, 7)}${pad(serverErrors, 5)}`);
  }
}

const problems: string[] = [];
function judge(runs: readonly RunResult[]): void {
  for (const r of runs) {
    for (const [name, t] of r.tallies) {
      if (t.responses === 0) problems.push(`${r.label}: no response for "${name}"`);
      if (t.wrong > 0) problems.push(`${r.label}: ${t.wrong} wrong decisions for "${name}"`);
      if (t.serverErrors > 0) problems.push(`${r.label}: ${t.serverErrors} responses with status 5xx for "${name}"`);
    }
  }
}

const started = Date.now();
const serverAuth = { issuer: "loadtest", secret: randomBytes(32).toString("base64url") };
const server = await startServerProcess({ JWT_ISSUER: serverAuth.issuer, JWT_AUTHTYPE: "HS256", JWT_SECRET: serverAuth.secret, JWT_AUTHMAXAGE: "3600" });
try {
  console.log(`example server (pid ${server.pid}) on ${server.url}; ${CONNECTIONS} connections, ${SECONDS} s per mix`);
  const categories = await tokenCategories(serverAuth, FIRST_SEEN_POOL);

  const single: RunResult[] = [];
  for (const category of categories) single.push(await run(category.name, server.url, [category], SECONDS));
  const together = await run("all mixes together", server.url, categories, SECONDS * 2);
  printRuns([...single, together]);
  judge([...single, together]);
  console.log("\nall mixes together, per category:");
  for (const [name, t] of together.tallies) console.log(`  ${name.padEnd(40)}${pad(t.responses, 9)} responses${pad(t.wrong, 6)} wrong`);

  // Authed against public, alternated so that drift of this machine hits both alike.
  const byName = new Map(categories.map((c) => [c.name, c]));
  const publicCall = byName.get("public call") as Category;
  const authed = byName.get("valid, repeated token") as Category;
  const paired: RunResult[] = [];
  for (let round = 0; round < 4; round++) {
    paired.push(await run("public call (paired)", server.url, [publicCall], 2));
    paired.push(await run("valid, repeated token (paired)", server.url, [authed], 2));
  }
  judge(paired);
  const total = (label: string) => paired.filter((r) => r.label === label).reduce((sum, r) => sum + r.rps, 0);
  const ratio = total("valid, repeated token (paired)") / total("public call (paired)");
  console.log(`\nauthed procedure, repeated token: ${ratio.toFixed(3)}x the requests per second of a public call (4 paired rounds of 2 s; target >= 0.85)`);

  // Fault: 1,000 connections that send nothing, held open while real traffic goes on.
  const sockets = await idleConnections(server.url, 1000);
  const underIdle = await run("valid + refused, 1,000 idle connections open", server.url, categories.slice(0, 10), SECONDS);
  for (const socket of sockets) socket.destroy();
  const afterIdle = await run("after the idle connections closed", server.url, [authed], 2);
  printRuns([underIdle, afterIdle]);
  judge([underIdle, afterIdle]);

  const peak = server.peakRssMiB();
  console.log(`\nserver peak RSS: ${peak.toFixed(0)} MiB (bound ${PEAK_RSS_BOUND_MIB} MiB; ${FIRST_SEEN_POOL.toLocaleString("en")} distinct first-seen tokens sent)`);
  if (!(peak < PEAK_RSS_BOUND_MIB)) problems.push(`peak RSS ${peak.toFixed(0)} MiB is over the bound of ${PEAK_RSS_BOUND_MIB} MiB`);
} finally {
  await server.stop();
}

console.log(`\nload test took ${((Date.now() - started) / 1000).toFixed(0)} s`);
if (problems.length > 0) {
  console.log(`FAILED:\n  ${problems.join("\n  ")}`);
  process.exit(1);
}
console.log("load test: 0 wrong decisions, 0 responses with status 5xx");
