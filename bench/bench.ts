// `npm run bench`: trpc-jwt against the JWT libraries people would otherwise use, side by side in
// one process and one run. It reports; it asserts nothing about time.
import { webcrypto } from "node:crypto";
import { cpus } from "node:os";
import { initTRPC } from "@trpc/server";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { createVerifier } from "fast-jwt";
import { importSPKI, jwtVerify } from "jose";
import jsonwebtoken from "jsonwebtoken";
import { z } from "zod";
import { AuthManager, createJwtContext, createJwtProcedures } from "trpc-jwt";
import { API_KEY_GROUP, apiKeyPropagation, apiKeyRows, apiKeyTargets } from "./apiKeys.js";
import { backchannelPropagation } from "./backchannelLogout.js";
import { cacheFlood } from "./cacheFlood.js";
import { idleSubscriptions } from "./idleSubscriptions.js";
import { revokeOthersLatency } from "./revokeOthers.js";
import { measureGroup, ratio, table, type Case, type Row } from "./harness.js";
import { BENCH_ALGS, benchKeys, floorVerifier, HMAC_SECRET, type BenchAlg } from "./algorithms.js";
import { benchToken, NATIVE_STEP_ROW, nativeStepRows, onPath, threadPoolReport } from "./native.js";
import { remoteIssuerReference, remoteIssuerRows, remoteIssuerTarget } from "./remoteIssuer.js";
import { sessionRows, sessionTargets } from "./sessions.js";
import { AUTH_TOKEN_ROW, signingRows, signingTargets } from "./signing.js";
import { telemetryRows, telemetryTargets } from "./telemetry.js";
import { typedClaimsRows, typedClaimsTarget } from "./typedClaims.js";

// Cycles per group; each cycle runs every case for one slice (5 ms; 10 ms with 64 in flight, so
// that starting and draining the 64 calls stays a small part of a slice).
const CYCLES = Number(process.env["BENCH_CYCLES"] ?? 400);
const SEQUENTIAL = { sliceMs: 5, cycles: CYCLES };
const IN_FLIGHT = { sliceMs: 10, cycles: Math.ceil(CYCLES / 2), inFlight: 64 };
// A tRPC call allocates far more (Request, Response, URL, streams): garbage collection is a fifth
// of its time, in bursts that make a 5 ms slice's speed vary widely. 25 ms slices average the
// bursts within each slice (measured: the noise gauge within 1% over three runs, against 6% with
// 5 ms slices); 0.6 of the verify groups' cycles give it about as much time as one of them.
const TRPC = { sliceMs: 25, cycles: Math.ceil(CYCLES * 0.6) };
const ISSUER = "bench";
type Alg = BenchAlg;
const makeToken = (alg: Alg, sub: string) => benchToken(benchKeys(alg), ISSUER, sub);

async function verifyRows(alg: Alg): Promise<Row[]> {
  const keys = benchKeys(alg);
  // A pool 16 to 64 times the first-seen manager's cache: a token comes back only long after it
  // was evicted, so every lookup misses and every verification pays for the cache insert too.
  const poolSize = alg === "HS256" ? 16384 : alg === "RS256" ? 8192 : 4096;
  const pool = Array.from({ length: poolSize }, (_, i) => makeToken(alg, `user-${i}`));
  const repeated = makeToken(alg, "repeated-user");
  const fresh = (i: number) => pool[i % poolSize] as string;
  const keyMaterial = keys.verifyMaterial;
  const secretBytes = new TextEncoder().encode(HMAC_SECRET);
  const cryptoKey =
    alg === "HS256"
      ? await webcrypto.subtle.importKey("raw", secretBytes, { name: "HMAC", hash: "SHA-256" }, false, ["verify"])
      : await importSPKI(keyMaterial, alg);
  const options = { issuer: ISSUER, authType: alg, secret: keys.secret } as const;
  const firstSeen = new AuthManager({ ...options, cacheSize: 256 });
  const firstSeenJose = onPath(false, () => new AuthManager({ ...options, cacheSize: 256 }));
  const cached = new AuthManager(options);
  // A stream of distinct tokens at the default cache size (10,000; issue 26): a new manager for
  // every pass over the pool (smaller than that cache for most algorithms), so each token is one
  // its manager has never seen, and the row pays for whatever admission does with it. (Its
  // construction, once per pass of 4,096 to 16,384 verifications, is in the row.)
  let defaultSize = { pass: -1, manager: new AuthManager(options) };
  const defaultSizeFor = (i: number) => {
    const pass = Math.floor(i / poolSize);
    if (pass !== defaultSize.pass) defaultSize = { pass, manager: new AuthManager(options) };
    return defaultSize.manager;
  };
  const fastNoCache = createVerifier({ key: keyMaterial, algorithms: [alg], cache: false });
  const fastCache = createVerifier({ key: keyMaterial, algorithms: [alg], cache: true });
  const floor = floorVerifier(keys);

  const cases: Case[] = [
    ["node:crypto signature + JSON.parse (floor)", (i) => floor(fresh(i))],
    ["fast-jwt, no cache", (i) => fastNoCache(fresh(i))],
    ["fast-jwt, cache (repeated token)", () => fastCache(repeated)],
    // jsonwebtoken has no EdDSA.
    ...(alg === "EdDSA" ? [] : [["jsonwebtoken", (i) => jsonwebtoken.verify(fresh(i), keyMaterial, { algorithms: [alg] })] as Case]),
    [
      alg === "HS256" ? "jose, raw secret per call" : "jose, PEM imported per call",
      (i) =>
        alg === "HS256"
          ? jwtVerify(fresh(i), secretBytes, { algorithms: [alg] })
          : importSPKI(keyMaterial, alg).then((key) => jwtVerify(fresh(i), key, { algorithms: [alg] })),
    ],
    ["jose, key imported once", (i) => jwtVerify(fresh(i), cryptoKey, { algorithms: [alg] })],
    // The same call again: how far two measurements of one thing differ in this run.
    ["jose, key imported once (again: noise gauge)", (i) => jwtVerify(fresh(i), cryptoKey, { algorithms: [alg] })],
    ["trpc-jwt verifyToken, first-seen tokens", (i) => firstSeen.verifyToken(fresh(i), "auth")],
    ["trpc-jwt verifyToken, first-seen tokens, jose fallback", (i) => firstSeenJose.verifyToken(fresh(i), "auth")],
    ["trpc-jwt verifyToken, first-seen, default cache size", (i) => defaultSizeFor(i).verifyToken(fresh(i), "auth")],
    ["trpc-jwt verifyToken, repeated token", () => cached.verifyToken(repeated, "auth")],
  ];
  return [...(await measureGroup(`verify ${alg}, sequential`, cases, SEQUENTIAL)), ...(await measureGroup(`verify ${alg}, 64 in flight`, cases, IN_FLIGHT))];
}

async function trpcRows(): Promise<Row[]> {
  const auth = new AuthManager({ issuer: ISSUER, authType: "HS256", secret: HMAC_SECRET });
  const createContext = createJwtContext(auth);
  const t = initTRPC.context<typeof createContext>().create();
  const { authedProcedure, requireToken } = createJwtProcedures(t);
  const router = t.router({
    hello: t.procedure.query(() => "hello"),
    noop: t.procedure.use(({ next }) => next()).query(() => "hello"),
    me: authedProcedure.query(({ ctx }) => ctx.token.sub),
    user: authedProcedure
      .input(z.object({ username: z.string() }))
      .use(requireToken({ input: { sub: "username" }, scope: "read" }))
      .query(({ input }) => input.username),
  });
  const headers = { authorization: `Bearer ${makeToken("HS256", "alice")}` };
  const userInput = encodeURIComponent(JSON.stringify({ username: "alice" }));
  const call = async (path: string) => {
    const res = await fetchRequestHandler({ endpoint: "/trpc", router, createContext, req: new Request(`http://localhost/trpc/${path}`, { headers }) });
    if (res.status !== 200) throw new Error(`${path}: ${res.status}`);
    return res.text();
  };
  const group = "tRPC call through fetchRequestHandler, repeated token";
  const cases: Case[] = [
    ["public procedure", () => call("hello")],
    // The same call again: how far two measurements of one thing differ in this run.
    ["public procedure (again: noise gauge)", () => call("hello")],
    // What tRPC itself charges for any middleware, before trpc-jwt does anything.
    ["public procedure + a middleware that does nothing", () => call("noop")],
    ["authedProcedure", () => call("me")],
    ["requireToken, input binding + scope", () => call(`user?input=${userInput}`)],
  ];
  return measureGroup(group, cases, TRPC);
}

// `npm run bench -- sign sessions` runs only the parts named (the part names below); all by default.
const PARTS = [
  "verify",
  "sign",
  "trpc",
  "sessions",
  "native",
  "remote",
  "typed",
  "telemetry",
  "apikeys",
  "flood",
  "subscriptions",
  "revokeOthers",
  "backchannel",
] as const;
const only = process.argv.slice(2);
for (const part of only) if (!(PARTS as readonly string[]).includes(part)) throw new Error(`unknown part ${part}; the parts: ${PARTS.join(", ")}`);
const runs = (part: (typeof PARTS)[number]) => only.length === 0 || only.includes(part);

const started = performance.now();
const rows: Row[] = [];
if (runs("verify")) for (const alg of BENCH_ALGS) rows.push(...(await verifyRows(alg)));
if (runs("sign")) rows.push(...(await signingRows(SEQUENTIAL)));
if (runs("trpc")) rows.push(...(await trpcRows()));
if (runs("sessions")) rows.push(...(await sessionRows(TRPC)));
if (runs("native")) rows.push(...(await nativeStepRows(SEQUENTIAL)));
if (runs("remote")) rows.push(...(await remoteIssuerRows(SEQUENTIAL)));
if (runs("typed")) rows.push(...(await typedClaimsRows(TRPC)));
if (runs("telemetry")) rows.push(...(await telemetryRows(TRPC)));
if (runs("apikeys")) rows.push(...(await apiKeyRows(TRPC)));
const find = (group: string, prefix: string) => rows.find((row) => row.group === group && row.name.startsWith(prefix));

console.log(
  `# trpc-jwt benchmark\n\nNode ${process.version}, ${cpus().length} x ${cpus()[0]?.model ?? "unknown CPU"}, ${new Date().toISOString().slice(0, 10)}.`,
);
console.log(
  `Each group runs ${CYCLES} cycles (${IN_FLIGHT.cycles} with 64 in flight, ${TRPC.cycles} for tRPC calls); a cycle runs every case for one slice of ${SEQUENTIAL.sliceMs} ms`,
);
console.log(
  `(${IN_FLIGHT.sliceMs} ms with 64 in flight, ${TRPC.sliceMs} ms for tRPC calls) in a shuffled order, so every case samples the same machine drift. A row is its`,
);
console.log("operations over its time, summed over its slices except its 5% slowest and 5% fastest; CPU time counts all threads.");
console.log("Ratio: the row's operations per second divided by trpc-jwt's in the same group (repeated-token rows");
console.log("against trpc-jwt on a repeated token, all others against trpc-jwt on first-seen tokens); > 1 is faster than trpc-jwt.\n");
for (const group of [...new Set(rows.map((row) => row.group))]) {
  const groupRows = rows.filter((row) => row.group === group);
  console.log(`## ${group}\n`);
  console.log(
    table(groupRows, (row) => {
      if (group.startsWith("verify")) return find(group, row.name.includes("repeated") ? "trpc-jwt verifyToken, repeated" : "trpc-jwt verifyToken, first-seen");
      if (group.startsWith("signature step")) return find(group, NATIVE_STEP_ROW);
      if (group.startsWith("RemoteIssuer")) return find(group, remoteIssuerReference(row.name));
      if (group.startsWith("sign")) return find(group, AUTH_TOKEN_ROW);
      if (group === API_KEY_GROUP) return find(group, "repeated auth token,");
      return find(group, "public procedure");
    }),
  );
  console.log();
}

// A ratio with the lowest and highest value it took over the ten consecutive blocks of cycles.
const spread = (r: ReturnType<typeof ratio>, digits = 2) => `${r.overall.toFixed(digits)}x (blocks ${r.low.toFixed(digits)} to ${r.high.toFixed(digits)})`;
console.log("## Targets\n\nFrom the tables above, each ratio with its range over ten consecutive blocks of cycles.\n\n### Issues 5 and 9\n");
for (const alg of runs("verify") ? BENCH_ALGS : []) {
  for (const mode of ["sequential", "64 in flight"]) {
    const group = `verify ${alg}, ${mode}`;
    const row = (prefix: string) => find(group, prefix)!;
    const repeated = ratio(row("trpc-jwt verifyToken, repeated"), row("fast-jwt, cache"));
    const firstSeen = ratio(row("trpc-jwt verifyToken, first-seen"), row("jose, key imported once"));
    const noise = ratio(row("jose, key imported once (again"), row("jose, key imported once"));
    console.log(
      `- ${group}: repeated token ${spread(repeated)} fast-jwt with cache (target >= 1); first-seen ${spread(firstSeen)} jose with an imported key (target >= 0.90); jose against itself ${spread(noise)}`,
    );
  }
}
if (runs("remote")) console.log(remoteIssuerTarget(rows, spread));
if (runs("typed")) console.log(typedClaimsTarget(rows, spread));
if (runs("telemetry")) for (const line of telemetryTargets(rows, spread)) console.log(line);
if (runs("apikeys")) for (const line of apiKeyTargets(rows, spread)) console.log(line);
if (runs("trpc")) {
  const trpcGroup = "tRPC call through fetchRequestHandler, repeated token";
  const trpcRow = (prefix: string) => find(trpcGroup, prefix)!;
  const cost = ratio(trpcRow("public procedure"), trpcRow("authedProcedure"));
  const noop = ratio(trpcRow("public procedure"), trpcRow("public procedure + a middleware"));
  const gauge = ratio(trpcRow("public procedure"), trpcRow("public procedure (again"));
  console.log(
    `- an authedProcedure call costs ${spread(cost, 3)} a public procedure call (target <= 1.15); a middleware that does nothing costs ${spread(noop, 3)}; the public call against itself ${spread(gauge, 3)}`,
  );
}
if (runs("sessions")) for (const line of sessionTargets(rows, spread)) console.log(line);
console.log("\n### Issue 15\n\nFirst-seen verification on node:crypto against fast-jwt without its cache, and its CPU time against the floor's:\n");
for (const alg of runs("verify") ? BENCH_ALGS : []) {
  for (const mode of ["sequential", "64 in flight"]) {
    const group = `verify ${alg}, ${mode}`;
    const row = (prefix: string) => find(group, prefix)!;
    const ours = row("trpc-jwt verifyToken, first-seen tokens");
    const cpu = ours.cpuMicros / row("node:crypto signature").cpuMicros;
    const fallback = ratio(ours, row("trpc-jwt verifyToken, first-seen tokens, jose fallback"));
    console.log(
      `- ${group}: ${spread(ratio(ours, row("fast-jwt, no cache")))} fast-jwt without cache (target >= ${alg === "HS256" ? "1.0" : "0.9"}); CPU ${cpu.toFixed(2)}x the floor's (target <= 1.5); ${spread(fallback)} the jose fallback`,
    );
  }
}
if (runs("verify")) {
  console.log("\n### Issue 26: first-seen tokens at the default cache size (10,000), against fast-jwt without its cache\n");
  for (const alg of BENCH_ALGS) {
    const group = `verify ${alg}, sequential`;
    const defaultSize = ratio(find(group, "trpc-jwt verifyToken, first-seen, default cache size")!, find(group, "fast-jwt, no cache")!);
    console.log(`- ${group}: ${spread(defaultSize)} (target >= ${alg === "HS256" ? "1.0" : "0.95"})`);
  }
}
if (runs("sign")) console.log(`\n### Issue 26: signing\n\n${signingTargets(rows, spread).join("\n")}`);
if (runs("flood")) {
  console.log(`\n## Thread pool under a flood of invalid tokens (issue 17, finding 15)\n\n${await threadPoolReport()}`);
  console.log(`\n${await cacheFlood()}`);
}
if (runs("subscriptions")) console.log(`\n${await idleSubscriptions()}`);
if (runs("revokeOthers")) console.log(`\n${await revokeOthersLatency()}`);
if (runs("apikeys")) console.log(`\n${await apiKeyPropagation()}`);
if (runs("backchannel")) console.log(`\n${await backchannelPropagation()}`);
console.log(`\nTotal time: ${((performance.now() - started) / 1000).toFixed(0)} s`);
