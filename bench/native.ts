// The signature step on its own (issue 15): node:crypto one-shot checks against jose, fast-jwt and
// the floor; and what a flood of invalid RS256-4096 tokens does to an unrelated readFile (issue
// 17, finding 15): jose's WebCrypto jobs queue on libuv's thread pool, the native check does not.
import { generateKeyPairSync, randomBytes, randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { createVerifier } from "fast-jwt";
import { compactVerify } from "jose";
import { AuthManager } from "trpc-jwt";
import { ImportedKey } from "../src/keys/ImportedKey.js";
import { KeyRing } from "../src/keys/KeyRing.js";
import { useNativeCrypto } from "../src/keys/nodeCrypto.js";
import { createSignatureStep } from "../src/tokens/createSignatureStep.js";
import { BENCH_ALGS, benchKeys, floorVerifier, signJws, type BenchAlg, type BenchKeys } from "./algorithms.js";
import { measureGroup, type Case, type GroupOptions, type Row } from "./harness.js";

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");

/** A valid token for `keys`, with the claims trpc-jwt issues. */
export function benchToken(keys: BenchKeys, issuer: string, sub: string): string {
  const now = Math.floor(Date.now() / 1000);
  const input = `${b64({ alg: keys.alg, typ: "JWT" })}.${b64({ iss: issuer, iat: now, exp: now + 3600, sub, type: "auth", jti: randomUUID(), scope: "read" })}`;
  return `${input}.${signJws(keys, input)}`;
}

const refused = (): never => {
  throw new Error("refused");
};

/** Runs `build` with the signature check on node:crypto (`native`) or forced onto the jose fallback. */
export function onPath<T>(native: boolean, build: () => T): T {
  useNativeCrypto(native);
  try {
    return build();
  } finally {
    useNativeCrypto(true);
  }
}

/** The signature step for `keys` (a ring of one key), native or forced onto the jose fallback. */
function stepFor(keys: BenchKeys, native: boolean): (token: string) => Promise<unknown> {
  const ring = new KeyRing(new ImportedKey(undefined, keys.alg, keys.signKey, ["sign"]), [new ImportedKey(undefined, keys.alg, keys.verifyKey, ["verify"])]);
  const step = onPath(native, () => createSignatureStep(ring.alg, ring));
  return (token) => Promise.resolve(step(token)).then((verified) => verified ?? refused());
}

/** `verifyToken` of a manager for `keys`, native or forced onto the jose fallback. */
function managerFor(keys: BenchKeys, native: boolean): (token: string) => Promise<unknown> {
  const auth = onPath(native, () => new AuthManager({ issuer: "bench", authType: keys.alg, secret: keys.secret, cacheSize: 0 }));
  return (token) => Promise.resolve(auth.verifyToken(token));
}

/** The row names, for the tables' reference and for readers. */
export const NATIVE_STEP_ROW = "trpc-jwt signature step, node:crypto";

async function stepRows(alg: BenchAlg, options: GroupOptions): Promise<Row[]> {
  const keys = benchKeys(alg);
  const pool = Array.from({ length: 256 }, (_, i) => benchToken(keys, "bench", `user-${i}`));
  const token = (i: number) => pool[i % pool.length] as string;
  const floor = floorVerifier(keys);
  const fastNoCache = createVerifier({ key: keys.verifyMaterial, algorithms: [alg], cache: false });
  const native = stepFor(keys, true);
  const jose = stepFor(keys, false);
  const joseOptions = { algorithms: [alg] };
  const cases: Case[] = [
    ["node:crypto signature + JSON.parse (floor)", (i) => floor(token(i))],
    ["fast-jwt, no cache (signature and claims)", (i) => fastNoCache(token(i))],
    ["jose compactVerify, key imported once", (i) => compactVerify(token(i), keys.verifyKey, joseOptions)],
    [NATIVE_STEP_ROW, (i) => native(token(i))],
    ["trpc-jwt signature step, jose fallback", (i) => jose(token(i))],
  ];
  return measureGroup(`signature step ${alg}, sequential`, cases, options);
}

/** One sequential group per algorithm: the signature step alone, without claims or cache. */
export async function nativeStepRows(options: GroupOptions): Promise<Row[]> {
  const rows: Row[] = [];
  for (const alg of BENCH_ALGS) rows.push(...(await stepRows(alg, options)));
  return rows;
}

// The flood: 2,000 tokens with valid headers and payloads and a random 4096-bit "signature", as
// an attacker sends them. They arrive as requests do, a few per turn of the event loop (here 16
// per macrotask); at each arrival an unrelated readFile of a small file starts, and its latency is measured.
const FLOOD = 2000;
const PER_TURN = 16;

interface FloodResult {
  readonly median: number;
  readonly max: number;
  readonly floodMs: number;
}

/** With no `verify`, the baseline: the same readFiles one after another on an idle process. */
async function flood(verify: ((token: string) => unknown) | undefined, tokens: readonly string[], file: string): Promise<FloodResult> {
  const latencies: number[] = [];
  const pending: Promise<unknown>[] = [];
  const started = performance.now();
  for (let at = 0; at < tokens.length; at += PER_TURN) {
    const issued = performance.now();
    const read = readFile(file).then(() => latencies.push(performance.now() - issued));
    pending.push(read);
    if (verify === undefined) await read;
    else for (const token of tokens.slice(at, at + PER_TURN)) pending.push(Promise.resolve(verify(token)).catch(() => undefined));
    await new Promise((resolve) => setImmediate(resolve));
  }
  await Promise.all(pending);
  const floodMs = performance.now() - started;
  latencies.sort((a, b) => a - b);
  return { median: latencies[Math.floor(latencies.length / 2)] ?? 0, max: latencies.at(-1) ?? 0, floodMs };
}

/** Builds a verifier for `keys`, on the native path or forced onto the jose fallback. */
export type VerifierFactory = (keys: BenchKeys, native: boolean) => (token: string) => unknown;

/**
 * Issue 17 finding 15 as a table: readFile latency while 2,000 invalid RS256-4096 tokens arrive,
 * with no flood, and through `verifyToken` on node:crypto and on the jose fallback. The three alternate for
 * `rounds` rounds; the table shows each one's median round (by worst latency).
 */
export async function threadPoolReport(factory: VerifierFactory = managerFor, rounds = 5): Promise<string> {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 4096 });
  const pem = (key: typeof privateKey) => key.export({ type: key.type === "private" ? "pkcs8" : "spki", format: "pem" }).toString();
  const keys: BenchKeys = { alg: "RS256", secret: pem(privateKey), verifyMaterial: pem(publicKey), signKey: privateKey, verifyKey: publicKey };
  const verifiers = { none: undefined, native: factory(keys, true), jose: factory(keys, false) };
  const valid = benchToken(keys, "bench", "attacker");
  const prefix = valid.slice(0, valid.lastIndexOf(".") + 1);
  const tokens = Array.from({ length: FLOOD }, () => prefix + randomBytes(512).toString("base64url"));
  // Any small file (npm runs the benchmark in the package root, bundled or not: bench/bundled.ts).
  const file = resolve("package.json");
  const runs = { none: [] as FloodResult[], native: [] as FloodResult[], jose: [] as FloodResult[] };
  for (let round = 0; round < rounds; round++) {
    for (const path of ["none", "native", "jose"] as const) runs[path].push(await flood(verifiers[path], tokens, file));
  }
  const median = (results: FloodResult[]) => [...results].sort((a, b) => a.max - b.max)[Math.floor(results.length / 2)]!;
  const line = (name: string, r: FloodResult) =>
    `| ${name.padEnd(48)} | ${r.median.toFixed(2).padStart(15)} | ${r.max.toFixed(2).padStart(12)} | ${r.floodMs.toFixed(0).padStart(8)} |`;
  return [
    `${FLOOD.toLocaleString("en-US")} invalid RS256-4096 tokens arrive ${PER_TURN} per turn of the event loop; at each arrival an unrelated`,
    `readFile starts. Times in ms; median of ${rounds} rounds.\n`,
    `| ${"verification".padEnd(48)} | readFile median | readFile max | flood ms |`,
    `|${"-".repeat(50)}|-----------------|--------------|----------|`,
    line("none (the readFiles alone, one at a time)", median(runs.none)),
    line("trpc-jwt, node:crypto (synchronous)", median(runs.native)),
    line("trpc-jwt, jose fallback (WebCrypto, thread pool)", median(runs.jose)),
  ].join("\n");
}
