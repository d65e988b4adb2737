// `npm run bench:http` (issue 26): the same tRPC router over HTTP, served without auth and by each
// way of checking a JWT, side by side. Each server runs in a child process of its own, one at a
// time (bench/http/server.ts); autocannon loads it from this process on 127.0.0.1. Reported per
// server: its process's CPU time per request (process.cpuUsage() in the server: the client's work
// is not in it) and requests per second, each also as a ratio to the public server of the same
// round and algorithm (measured first and last in each, and averaged, so drift cancels).
//
// Before a server is measured it must refuse what it must: 401 without a token and for a
// tampered one, 403 for a valid token of another user, 200 for the right one. A server that
// skipped a check would win by doing less; it is reported and not measured.
//
// Usage: npm run bench:http [-- --quick] [--rounds N] [--seconds S] [--connections C]
//        [--servers public,jose,...] [--algs HS256,ES256]
import { spawn, type ChildProcess } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import autocannon from "autocannon";
import { AuthManager } from "trpc-jwt";
import { hasRedisServer, startRedisServer, type RedisServer } from "../test/helpers/redisServer.js";
import { bundled } from "./bundled.js";
import { listeningUrl } from "./loadtest/serverProcess.js";
import { ISSUER, PEERS, SERVER_KINDS, SERVER_NAMES, type ServerKind } from "./http/serverKinds.js";

type Alg = "HS256" | "ES256";
type Mode = "repeated" | "first-seen";
const MODES: readonly Mode[] = ["repeated", "first-seen"];

const args = process.argv.slice(2);
const flag = (name: string) => args.includes(`--${name}`);
const option = (name: string) => {
  const at = args.indexOf(`--${name}`);
  return at === -1 ? undefined : args[at + 1];
};
const quick = flag("quick");
const ROUNDS = Number(option("rounds") ?? (quick ? 1 : 2));
const SECONDS = Number(option("seconds") ?? (quick ? 1 : 2));
const WARM_SECONDS = 1;
const CONNECTIONS = Number(option("connections") ?? (quick ? 8 : 32));
const ALGS = (option("algs") ?? "HS256,ES256").split(",") as Alg[];
const wanted = (option("servers") ?? SERVER_KINDS.join(",")).split(",") as ServerKind[];
// The public server is every ratio's reference: always measured.
const KINDS = SERVER_KINDS.filter((kind) => kind === "public" || wanted.includes(kind));
// Distinct tokens per algorithm for the first-seen cells: enough for the fastest server's warm-up
// and measurement at the speeds of a 2-core machine; a run that used more is told so (tokens come
// round again then: the cells are then no longer first-seen only).
const POOL: Record<Alg, number> = quick ? { HS256: 20_000, ES256: 10_000 } : { HS256: 90_000, ES256: 50_000 };

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

const pathFor = (id: string) => `/trpc/profile?input=${encodeURIComponent(JSON.stringify({ id }))}`;

/** The requests of one algorithm: a repeated token, and a pool of tokens each sent once. */
interface Traffic {
  readonly repeated: { readonly path: string; readonly token: string };
  readonly pool: readonly { readonly path: string; readonly authorization: string }[];
  next: number;
  wrapped: number;
}

async function traffic(alg: Alg): Promise<Traffic> {
  const issuer = new AuthManager({ issuer: ISSUER, authType: alg, secret: KEYS[alg].secret });
  const pool = [];
  for (let i = 0; i < POOL[alg]; i++) {
    const id = `user-${i}`;
    pool.push({ path: pathFor(id), authorization: `Bearer ${(await issuer.authToken(id)).signed}` });
  }
  return { repeated: { path: pathFor("repeated-user"), token: (await issuer.authToken("repeated-user")).signed }, pool, next: 0, wrapped: 0 };
}

/** A server in its own process. */
interface Server {
  readonly url: string;
  cpuMicros(): Promise<number>;
  stop(): Promise<void>;
}

async function startServer(entry: string, kind: ServerKind, alg: Alg, redis: RedisServer | undefined): Promise<Server> {
  const env = {
    ...process.env,
    BENCH_HTTP_SERVER: kind,
    BENCH_HTTP_ALG: alg,
    BENCH_HTTP_SECRET: KEYS[alg].secret,
    BENCH_HTTP_PUBLIC_KEY: KEYS[alg].publicKey,
    ...(redis === undefined ? {} : { BENCH_HTTP_REDIS_URL: redis.url }),
  };
  const child: ChildProcess = spawn(process.execPath, [entry], { env, stdio: ["ignore", "pipe", "inherit", "ipc"] });
  const url = await listeningUrl(child, kind);
  return {
    url,
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
async function refusalProblems(url: string, kind: ServerKind, alg: Alg, tokens: Traffic): Promise<string[]> {
  const { token } = tokens.repeated;
  const tampered = `${token.slice(0, -3)}${token.endsWith("AAA") ? "BBB" : "AAA"}`;
  const call = async (path: string, authorization?: string) => {
    const res = await fetch(`${url}${path}`, { headers: authorization === undefined ? {} : { authorization } });
    return { status: res.status, body: await res.text() };
  };
  const expect = (what: string, got: { status: number; body: string }, status: number, body?: string) =>
    got.status === status && (body === undefined || got.body.includes(body)) ? [] : [`${what}: ${got.status} (expected ${status})`];
  const guarded = kind !== "public";
  return [
    ...expect("the right token", await call(tokens.repeated.path, `Bearer ${token}`), 200, "repeated-user"),
    ...expect("no token", await call(tokens.repeated.path), guarded ? 401 : 200),
    ...expect("a tampered token", await call(tokens.repeated.path, `Bearer ${tampered}`), guarded ? 401 : 200),
    ...expect("another user's token", await call(pathFor("someone-else"), `Bearer ${token}`), guarded ? 403 : 200),
  ];
}

interface Cell {
  readonly cpuPerRequest: number;
  readonly requestsPerSecond: number;
  readonly responses: number;
  readonly wrong: number;
}

async function load(url: string, tokens: Traffic, mode: Mode, seconds: number): Promise<{ responses: number; wrong: number; seconds: number }> {
  const requests =
    mode === "repeated"
      ? [{ method: "GET" as const, path: tokens.repeated.path, headers: { authorization: `Bearer ${tokens.repeated.token}` } }]
      : [
          {
            method: "GET" as const,
            setupRequest: (request: autocannon.Request) => {
              if (tokens.next === tokens.pool.length) {
                tokens.next = 0;
                tokens.wrapped++;
              }
              const { path, authorization } = tokens.pool[tokens.next++]!;
              return { ...request, path, headers: { authorization } };
            },
          },
        ];
  const result = await autocannon({ url, connections: CONNECTIONS, duration: seconds, requests });
  const responses = result.requests.total;
  return { responses, wrong: responses - result["2xx"] + result.errors + result.timeouts, seconds: result.duration };
}

async function measure(server: Server, tokens: Traffic, mode: Mode): Promise<Cell> {
  await load(server.url, tokens, mode, WARM_SECONDS);
  const before = await server.cpuMicros();
  const { responses, wrong, seconds } = await load(server.url, tokens, mode, SECONDS);
  const cpu = (await server.cpuMicros()) - before;
  return { cpuPerRequest: cpu / responses, requestsPerSecond: responses / seconds, responses, wrong };
}

type Key = `${Alg} ${Mode}`;
// round -> alg/mode -> server -> cell
const results: Map<Key, Map<ServerKind, Cell[]>> = new Map();
const failures: string[] = [];

async function main(): Promise<void> {
  const started = Date.now();
  const entry = await bundled("bench/http/server.ts");
  const redis = KINDS.includes("trpc-jwt-redis") && hasRedisServer() ? await startRedisServer() : undefined;
  const kinds = KINDS.filter((kind) => kind !== "trpc-jwt-redis" || redis !== undefined);
  if (kinds.length < KINDS.length) console.log("redis-server not found: the redisStore() rows are left out\n");
  console.log(
    `# npm run bench:http${quick ? " --quick" : ""}: ${ROUNDS} round(s), ${SECONDS} s per cell after ${WARM_SECONDS} s of warm-up, ${CONNECTIONS} connections\n` +
      `Node ${process.version}; every server a process of its own, one at a time, on 127.0.0.1\n`,
  );
  try {
    const byAlg = new Map<Alg, Traffic>();
    for (const alg of ALGS) byAlg.set(alg, await traffic(alg));
    for (let round = 1; round <= ROUNDS; round++) {
      for (const alg of ALGS) {
        const tokens = byAlg.get(alg)!;
        // The public server first and last: its mean is the round's reference.
        for (const kind of [...kinds, "public" as const]) {
          const server = await startServer(entry, kind, alg, redis);
          try {
            const problems = await refusalProblems(server.url, kind, alg, tokens);
            if (problems.length > 0) {
              failures.push(`${SERVER_NAMES[kind]}, ${alg}: ${problems.join("; ")}`);
              continue;
            }
            for (const mode of MODES) {
              const cell = await measure(server, tokens, mode);
              if (cell.wrong > 0) failures.push(`${SERVER_NAMES[kind]}, ${alg} ${mode}, round ${round}: ${cell.wrong} of ${cell.responses} responses not 200`);
              const key: Key = `${alg} ${mode}`;
              if (!results.has(key)) results.set(key, new Map());
              const cells = results.get(key)!;
              if (!cells.has(kind)) cells.set(kind, []);
              cells.get(kind)!.push(cell);
            }
          } finally {
            await server.stop();
          }
          process.stderr.write(".");
        }
      }
    }
    process.stderr.write("\n");
    for (const [alg, tokens] of byAlg) {
      if (tokens.wrapped > 0)
        console.log(`note: the ${alg} pool of ${tokens.pool.length} tokens came round ${tokens.wrapped} time(s): first-seen cells repeated tokens\n`);
    }
  } finally {
    await redis?.stop();
  }
  report();
  console.log(`\n${((Date.now() - started) / 1000).toFixed(0)} s in all`);
  if (failures.length > 0) {
    console.log(`\nFAILED:\n${failures.map((line) => `- ${line}`).join("\n")}`);
    process.exitCode = 1;
  }
}

// The ratio of each round's cell to that round's public reference (the mean of its two runs).
function ratios(key: Key, kind: ServerKind, pick: (cell: Cell) => number): number[] {
  const cells = results.get(key);
  const reference = cells?.get("public") ?? [];
  const own = cells?.get(kind) ?? [];
  if (kind === "public") return own.map(() => 1);
  return own.map((cell, round) => {
    const pair = reference.slice(2 * round, 2 * round + 2).map(pick);
    return pick(cell) / (pair.reduce((a, b) => a + b, 0) / pair.length);
  });
}
const mean = (values: readonly number[]) => values.reduce((a, b) => a + b, 0) / values.length;
const spread = (values: readonly number[]) =>
  values.length > 1 ? `${mean(values).toFixed(2)}x (${values.map((v) => v.toFixed(2)).join(", ")})` : `${mean(values).toFixed(2)}x`;

function report(): void {
  for (const [key, cells] of results) {
    console.log(`\n## ${key} token${key.endsWith("first-seen") ? "s" : ""}\n`);
    console.log("| server | CPU µs/request | CPU vs public | requests/s | req/s vs public |");
    console.log("| --- | ---: | ---: | ---: | ---: |");
    for (const kind of KINDS) {
      const own = cells.get(kind);
      if (own === undefined) continue;
      const cpu = mean(own.map((cell) => cell.cpuPerRequest));
      const rps = mean(own.map((cell) => cell.requestsPerSecond));
      const cpuRatio = spread(ratios(key, kind, (cell) => cell.cpuPerRequest));
      const rpsRatio = spread(ratios(key, kind, (cell) => cell.requestsPerSecond));
      console.log(`| ${SERVER_NAMES[kind]} | ${cpu.toFixed(1)} | ${cpuRatio} | ${Math.round(rps)} | ${rpsRatio} |`);
    }
  }
  console.log("\n## Targets (issue 26), CPU per request\n");
  for (const key of results.keys()) {
    const cpu = (kind: ServerKind) => {
      const values = ratios(key, kind, (cell) => cell.cpuPerRequest);
      return values.length === 0 ? undefined : mean(values);
    };
    const ours = cpu("trpc-jwt");
    if (ours === undefined) continue;
    const peers = PEERS.map((kind) => [kind, cpu(kind)] as const).filter((entry): entry is readonly [ServerKind, number] => entry[1] !== undefined);
    const best = peers.reduce<readonly [ServerKind, number] | undefined>((low, entry) => (low === undefined || entry[1] < low[1] ? entry : low), undefined);
    const verdict = (ok: boolean) => (ok ? "met" : "NOT met");
    const lines = [`- ${key}: trpc-jwt ${ours.toFixed(2)}x public`];
    if (best !== undefined)
      lines.push(`, the cheapest peer (${SERVER_NAMES[best[0]]}) ${best[1].toFixed(2)}x: at most every peer's, ${verdict(ours <= best[1])}`);
    const memory = cpu("trpc-jwt-memory");
    if (memory !== undefined) lines.push(`; memoryStore() ${(memory / ours).toFixed(2)}x no store (target <= 1.10, ${verdict(memory / ours <= 1.1)})`);
    if (key.endsWith("repeated")) lines.push(`; within 1.05x of public: ${verdict(ours <= 1.05)}`);
    console.log(lines.join(""));
  }
}

await main();
