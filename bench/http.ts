// `npm run bench:http` (issue 26): the same tRPC router over HTTP, served without auth and by each
// way of checking a JWT, side by side. Each server runs in a child process of its own
// (bench/http/server.ts, the servers in bench/http/serve.ts); autocannon loads it from this
// process on 127.0.0.1. Measured per server: its process's CPU time per request
// (process.cpuUsage() in the server: the client's work is not in it), and requests per second.
// Each peer authenticates in one middleware and checks `sub` in the procedure; trpc-jwt's
// procedure has one guard too, `requireToken({ input: { sub: "id" } })` (`--trpc-jwt-guards two`
// puts `authedProcedure` before it, as the README does: see bench/http/serve.ts for its cost).
//
// The method, made to resolve a few per cent on a shared 2-core machine:
// - All servers of one algorithm run at once (an idle one costs nothing), so the cells of a round
//   are measured one after the other, seconds apart, instead of one server's process after another.
// - Several rounds. In each round and mode, every server is measured once (the public server
//   first and last: its mean is the round's reference), in an order rotated every round and
//   reversed every other, so no server always follows the same neighbour or sits at the same place.
// - Every comparison is a median of per-round paired ratios (two servers of the same round), so
//   slow drift cancels within each pair and an odd round moves the median little. The range of
//   the ratios is printed, and each target says in how many rounds it held.
// - First-seen tokens are minted as needed (bench/http/traffic.ts): each server reads them through
//   a cursor of its own and never receives one twice, warm-up included.
//
// Beside the public server (no middleware), "public + one pass-through middleware" measures what
// tRPC itself charges for the middleware every guard is, and "trpc-jwt on Fastify" serves trpc-jwt
// on the server @fastify/jwt runs on (the other trpc-jwt servers are tRPC's standalone one): both
// are reported for reference, not held to a target.
//
// Before a server is measured it must refuse what it must: 401 without a token and for a
// tampered one, 403 for a valid token of another user, 200 for the right one. A server that
// skipped a check would win by doing less; it is reported and not measured. A response other
// than 200 under load fails the run too.
//
// Usage: npm run bench:http [-- --quick] [--rounds N] [--seconds S] [--connections C]
//        [--servers public,jose,...] [--algs HS256,ES256] [--trpc-jwt-guards one|two]
import { spawn, type ChildProcess } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import autocannon from "autocannon";
import { hasRedisServer, startRedisServer, type RedisServer } from "../test/helpers/redisServer.js";
import { bundled } from "./bundled.js";
import { listeningUrl } from "./loadtest/serverProcess.js";
import { PEERS, SERVER_KINDS, SERVER_NAMES, UNGUARDED, type ServerKind } from "./http/serverKinds.js";
import { describe, median, pairedRatios, verdict } from "./http/stats.js";
import { pathFor, traffic, type Alg, type Call, type Traffic } from "./http/traffic.js";

type Mode = "repeated" | "first-seen";
const MODES: readonly Mode[] = ["repeated", "first-seen"];

const args = process.argv.slice(2);
const flag = (name: string) => args.includes(`--${name}`);
const option = (name: string) => {
  const at = args.indexOf(`--${name}`);
  return at === -1 ? undefined : args[at + 1];
};
const quick = flag("quick");
// 7 rounds of 1 s cells: 6 to 7 minutes for the 10 servers, 2 algorithms and 2 modes.
const ROUNDS = Number(option("rounds") ?? (quick ? 2 : 7));
const SECONDS = Number(option("seconds") ?? (quick ? 0.5 : 1));
const WARM_SECONDS = quick ? 0.5 : 1;
const CONNECTIONS = Number(option("connections") ?? (quick ? 8 : 32));
// trpc-jwt's procedure: one guard (requireToken with the sub rule), or authedProcedure and then it.
const GUARDS = option("trpc-jwt-guards") === "two" ? "two" : "one";
const ALGS = (option("algs") ?? "HS256,ES256").split(",") as Alg[];
const wanted = (option("servers") ?? SERVER_KINDS.join(",")).split(",") as ServerKind[];
// The public server is every ratio's reference: always measured.
const KINDS = SERVER_KINDS.filter((kind) => kind === "public" || wanted.includes(kind));
// First-seen tokens minted before the load (more are minted if a server asks for them).
const INITIAL_POOL = Math.ceil(4000 * (WARM_SECONDS + ROUNDS * SECONDS));

interface Keys {
  readonly secret: string;
  readonly publicKey: string;
}
const es256 = generateKeyPairSync("ec", { namedCurve: "P-256" });
const KEYS: Record<Alg, Keys> = {
  HS256: { secret: "benchmark-secret-0123456789abcdef", publicKey: "" },
  ES256: {
    secret: es256.privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    publicKey: es256.publicKey.export({ type: "spki", format: "pem" }).toString(),
  },
};

/** A server in its own process, with its own cursor over the first-seen tokens. */
interface Server {
  readonly kind: ServerKind;
  readonly url: string;
  readonly nextFirstSeen: () => Call;
  cpuMicros(): Promise<number>;
  stop(): Promise<void>;
}

async function startServer(entry: string, kind: ServerKind, alg: Alg, tokens: Traffic, redis: RedisServer | undefined): Promise<Server> {
  const env = {
    ...process.env,
    BENCH_HTTP_SERVER: kind,
    BENCH_HTTP_ALG: alg,
    BENCH_HTTP_SECRET: KEYS[alg].secret,
    BENCH_HTTP_PUBLIC_KEY: KEYS[alg].publicKey,
    ...(redis === undefined ? {} : { BENCH_HTTP_REDIS_URL: redis.url }),
    BENCH_HTTP_GUARDS: GUARDS,
  };
  const child: ChildProcess = spawn(process.execPath, [entry], { env, stdio: ["ignore", "pipe", "inherit", "ipc"] });
  const url = await listeningUrl(child, kind);
  return {
    kind,
    url,
    nextFirstSeen: tokens.cursor(),
    cpuMicros: () =>
      new Promise((resolve) => {
        child.once("message", (message: { cpu: NodeJS.CpuUsage }) => resolve(message.cpu.user + message.cpu.system));
        child.send("cpu");
      }),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

/** The refusals every guarded server must make, and the one answer it must give; what differed. */
async function refusalProblems(url: string, kind: ServerKind, tokens: Traffic): Promise<string[]> {
  const { token, path } = tokens.repeated;
  const tampered = `${token.slice(0, -3)}${token.endsWith("AAA") ? "BBB" : "AAA"}`;
  const call = async (at: string, authorization?: string) => {
    const res = await fetch(`${url}${at}`, { headers: authorization === undefined ? {} : { authorization } });
    return { status: res.status, body: await res.text() };
  };
  const expect = (what: string, got: { status: number; body: string }, status: number, body?: string) =>
    got.status === status && (body === undefined || got.body.includes(body)) ? [] : [`${what}: ${got.status} (expected ${status})`];
  const guarded = !UNGUARDED.includes(kind);
  return [
    ...expect("the right token", await call(path, `Bearer ${token}`), 200, "repeated-user"),
    ...expect("no token", await call(path), guarded ? 401 : 200),
    ...expect("a tampered token", await call(path, `Bearer ${tampered}`), guarded ? 401 : 200),
    ...expect("another user's token", await call(pathFor("someone-else"), `Bearer ${token}`), guarded ? 403 : 200),
  ];
}

interface Cell {
  readonly cpuPerRequest: number;
  readonly requestsPerSecond: number;
}

async function load(server: Server, tokens: Traffic, mode: Mode, seconds: number): Promise<{ responses: number; wrong: number; seconds: number }> {
  const { path, authorization } = tokens.repeated;
  const requests =
    mode === "repeated"
      ? [{ method: "GET" as const, path, headers: { authorization } }]
      : [
          {
            method: "GET" as const,
            setupRequest: (request: autocannon.Request) => {
              const next = server.nextFirstSeen();
              return { ...request, path: next.path, headers: { authorization: next.authorization } };
            },
          },
        ];
  const result = await autocannon({ url: server.url, connections: CONNECTIONS, duration: seconds, requests });
  const responses = result.requests.total;
  return { responses, wrong: responses - result["2xx"] + result.errors + result.timeouts, seconds: result.duration };
}

type Key = `${Alg} ${Mode}`;
// alg/mode -> server -> one cell per round (the public server's: the mean of its two runs).
const results = new Map<Key, Map<ServerKind, Cell[]>>();
const failures: string[] = [];

async function measureRound(servers: readonly Server[], tokens: Traffic, alg: Alg, mode: Mode, round: number): Promise<void> {
  const publicServer = servers.find((server) => server.kind === "public") as Server;
  const others = servers.filter((server) => server !== publicServer);
  const shift = round % Math.max(1, others.length);
  const rotated = [...others.slice(shift), ...others.slice(0, shift)];
  const order = [publicServer, ...(round % 2 === 0 ? rotated : rotated.reverse()), publicServer];
  const key: Key = `${alg} ${mode}`;
  if (!results.has(key)) results.set(key, new Map());
  const cells = results.get(key) as Map<ServerKind, Cell[]>;
  const publicRuns: Cell[] = [];
  for (const server of order) {
    const before = await server.cpuMicros();
    const { responses, wrong, seconds } = await load(server, tokens, mode, SECONDS);
    const cpu = (await server.cpuMicros()) - before;
    if (wrong > 0) failures.push(`${SERVER_NAMES[server.kind]}, ${key}, round ${round + 1}: ${wrong} of ${responses} responses not 200`);
    const cell = { cpuPerRequest: cpu / responses, requestsPerSecond: responses / seconds };
    if (server === publicServer) publicRuns.push(cell);
    else cells.set(server.kind, [...(cells.get(server.kind) ?? []), cell]);
  }
  const mean = (pick: (cell: Cell) => number) => publicRuns.reduce((sum, cell) => sum + pick(cell), 0) / publicRuns.length;
  cells.set("public", [
    ...(cells.get("public") ?? []),
    { cpuPerRequest: mean((cell) => cell.cpuPerRequest), requestsPerSecond: mean((cell) => cell.requestsPerSecond) },
  ]);
}

async function runAlgorithm(entry: string, alg: Alg, kinds: readonly ServerKind[], redis: RedisServer | undefined): Promise<number> {
  const tokens = await traffic(alg, KEYS[alg].secret, INITIAL_POOL);
  const servers: Server[] = [];
  try {
    for (const kind of kinds) {
      const server = await startServer(entry, kind, alg, tokens, redis);
      servers.push(server);
      const problems = await refusalProblems(server.url, kind, tokens);
      if (problems.length > 0) {
        failures.push(`${SERVER_NAMES[kind]}, ${alg}: ${problems.join("; ")}`);
        servers.pop();
        await server.stop();
      }
    }
    for (const server of servers) for (const mode of MODES) await load(server, tokens, mode, WARM_SECONDS);
    for (let round = 0; round < ROUNDS; round++) {
      // The modes alternate which comes first, as the servers alternate their order.
      for (const mode of round % 2 === 0 ? MODES : [...MODES].reverse()) await measureRound(servers, tokens, alg, mode, round);
      process.stderr.write(".");
    }
  } finally {
    await Promise.all(servers.map((server) => server.stop()));
  }
  return tokens.minted();
}

async function main(): Promise<void> {
  const started = Date.now();
  const entry = await bundled("bench/http/server.ts");
  const redis = KINDS.includes("trpc-jwt-redis") && hasRedisServer() ? await startRedisServer() : undefined;
  const kinds = KINDS.filter((kind) => kind !== "trpc-jwt-redis" || redis !== undefined);
  if (kinds.length < KINDS.length) console.log("redis-server not found: the redisStore() rows are left out\n");
  console.log(
    `# npm run bench:http${quick ? " --quick" : ""}: ${ROUNDS} rounds of ${SECONDS} s per cell (after ${WARM_SECONDS} s of warm-up per server and mode), ${CONNECTIONS} connections\n` +
      `trpc-jwt's procedure: ${GUARDS === "one" ? "requireToken({ input: { sub } }) alone" : "authedProcedure, then requireToken({ input: { sub } })"}\n` +
      `Node ${process.version}; every server a process of its own, all of one algorithm up at once, on 127.0.0.1;\n` +
      `medians over rounds, ratios medians of per-round paired ratios (range in brackets)\n`,
  );
  const minted: string[] = [];
  try {
    for (const alg of ALGS) minted.push(`${await runAlgorithm(entry, alg, kinds, redis)} ${alg}`);
  } finally {
    await redis?.stop();
  }
  process.stderr.write("\n");
  console.log(`first-seen tokens minted: ${minted.join(", ")}; no server was sent one twice`);
  report();
  console.log(`\n${((Date.now() - started) / 1000).toFixed(0)} s in all`);
  if (failures.length > 0) {
    console.log(`\nFAILED:\n${failures.map((line) => `- ${line}`).join("\n")}`);
    process.exitCode = 1;
  }
}

const cpuOf = (key: Key, kind: ServerKind) => (results.get(key)?.get(kind) ?? []).map((cell) => cell.cpuPerRequest);
const rpsOf = (key: Key, kind: ServerKind) => (results.get(key)?.get(kind) ?? []).map((cell) => cell.requestsPerSecond);

function report(): void {
  for (const [key, cells] of results) {
    console.log(`\n## ${key} token${key.endsWith("first-seen") ? "s" : ""}\n`);
    console.log("| server | CPU µs/request | CPU vs public | requests/s | req/s vs public |");
    console.log("| --- | ---: | ---: | ---: | ---: |");
    for (const kind of KINDS) {
      if (!cells.has(kind)) continue;
      const cpu = cpuOf(key, kind);
      const rps = rpsOf(key, kind);
      const cpuRatio = kind === "public" ? "1.00x" : describe(pairedRatios(cpu, cpuOf(key, "public")));
      const rpsRatio = kind === "public" ? "1.00x" : describe(pairedRatios(rps, rpsOf(key, "public")));
      console.log(`| ${SERVER_NAMES[kind]} | ${median(cpu).toFixed(1)} | ${cpuRatio} | ${Math.round(median(rps))} | ${rpsRatio} |`);
    }
  }
  console.log("\n## Targets (issue 26), CPU per request: medians of per-round paired ratios\n");
  let allMet = true;
  const line = (text: string, check: { met: boolean; text: string }) => {
    allMet &&= check.met;
    console.log(`- ${text}: ${check.text}`);
  };
  for (const [key, cells] of results) {
    if (!cells.has("trpc-jwt")) continue;
    const ours = cpuOf(key, "trpc-jwt");
    for (const peer of PEERS) if (cells.has(peer)) line(`${key}: trpc-jwt / ${SERVER_NAMES[peer]}`, verdict(pairedRatios(ours, cpuOf(key, peer)), 1));
    if (cells.has("trpc-jwt-memory")) line(`${key}: memoryStore() / no store`, verdict(pairedRatios(cpuOf(key, "trpc-jwt-memory"), ours), 1.1));
    if (key.endsWith("repeated")) line(`${key}: trpc-jwt / public`, verdict(pairedRatios(ours, cpuOf(key, "public")), 1.05));
  }
  // Not a target: how much of a guarded call's cost over the public one is tRPC's for the
  // middleware every guard is (see bench/http/serve.ts, peerRouter).
  const floor = [...results].filter(([, cells]) => cells.has("public-middleware") && cells.has("trpc-jwt"));
  if (floor.length > 0) console.log("\nFor reference, tRPC's cost of one middleware (no check in it), and trpc-jwt beyond it:\n");
  for (const [key] of floor) {
    const middleware = describe(pairedRatios(cpuOf(key, "public-middleware"), cpuOf(key, "public")));
    const beyond = describe(pairedRatios(cpuOf(key, "trpc-jwt"), cpuOf(key, "public-middleware")));
    console.log(`- ${key}: public + one middleware / public ${middleware}; trpc-jwt / public + one middleware ${beyond}`);
  }
  // Not a target either: @fastify/jwt against trpc-jwt on the same server (Fastify and tRPC's
  // Fastify adapter), where the targets above compare it with trpc-jwt on tRPC's standalone server.
  const sameServer = [...results].filter(([, cells]) => cells.has("trpc-jwt-fastify") && cells.has("fastify-jwt"));
  if (sameServer.length > 0)
    console.log("\nOn one server, Fastify: trpc-jwt against @fastify/jwt (the targets compare trpc-jwt on tRPC's standalone server):\n");
  for (const [key] of sameServer) {
    console.log(`- ${key}: trpc-jwt on Fastify / @fastify/jwt on Fastify ${describe(pairedRatios(cpuOf(key, "trpc-jwt-fastify"), cpuOf(key, "fastify-jwt")))}`);
  }
  console.log(`\nAll targets ${allMet ? "met" : "NOT met"}.`);
}

await main();
