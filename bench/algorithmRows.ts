// Issue 9: verification under ES256, PS256 and EdDSA, side by side with jose (key imported once)
// and fast-jwt, as bench.ts measures HS256 and RS256.
import { createVerifier } from "fast-jwt";
import { importSPKI, jwtVerify } from "jose";
import { AuthManager } from "trpc-jwt";
import { benchKeys, floorVerifier, type BenchAlg } from "./algorithms.js";
import { measureGroup, ratio, type Case, type GroupOptions, type Row } from "./harness.js";
import { benchToken } from "./native.js";

const ALGS = ["ES256", "PS256", "EdDSA"] as const satisfies readonly BenchAlg[];
const ISSUER = "bench";
// Far more tokens than the first-seen manager's cache and its "seen once" table: never a hit.
const POOL = 4096;
const group = (alg: BenchAlg) => `verify ${alg}, sequential`;

async function rows(alg: BenchAlg, options: GroupOptions): Promise<Row[]> {
  const keys = benchKeys(alg);
  const pool = Array.from({ length: POOL }, (_, i) => benchToken(keys, ISSUER, `user-${i}`));
  const fresh = (i: number) => pool[i % POOL] as string;
  const repeated = benchToken(keys, ISSUER, "repeated-user");
  const joseKey = await importSPKI(keys.verifyMaterial, alg);
  const joseOptions = { algorithms: [alg] };
  const firstSeen = new AuthManager({ issuer: ISSUER, authType: alg, secret: keys.secret, cacheSize: 256 });
  const cached = new AuthManager({ issuer: ISSUER, authType: alg, secret: keys.secret });
  const fastNoCache = createVerifier({ key: keys.verifyMaterial, algorithms: [alg], cache: false });
  const fastCache = createVerifier({ key: keys.verifyMaterial, algorithms: [alg], cache: true });
  const floor = floorVerifier(keys);
  const cases: Case[] = [
    ["node:crypto signature + JSON.parse (floor)", (i) => floor(fresh(i))],
    ["fast-jwt, no cache", (i) => fastNoCache(fresh(i))],
    ["fast-jwt, cache (repeated token)", () => fastCache(repeated)],
    ["jose, key imported once", (i) => jwtVerify(fresh(i), joseKey, joseOptions)],
    // The same call again: how far two measurements of one thing differ in this run.
    ["jose, key imported once (again: noise gauge)", (i) => jwtVerify(fresh(i), joseKey, joseOptions)],
    ["trpc-jwt verifyToken, first-seen tokens", (i) => firstSeen.verifyToken(fresh(i), "auth")],
    ["trpc-jwt verifyToken, repeated token", () => cached.verifyToken(repeated, "auth")],
  ];
  return measureGroup(group(alg), cases, options);
}

/** One sequential verify group per algorithm: ES256, PS256, EdDSA. */
export async function algorithmRows(options: GroupOptions): Promise<Row[]> {
  const all: Row[] = [];
  for (const alg of ALGS) all.push(...(await rows(alg, options)));
  return all;
}

/** The issue 9 target lines: first-seen within 10% of jose with an imported key, per algorithm. */
export function algorithmTargets(all: readonly Row[], spread: (r: ReturnType<typeof ratio>) => string): string {
  return ALGS.map((alg) => {
    const row = (prefix: string) => all.find((r) => r.group === group(alg) && r.name.startsWith(prefix))!;
    const firstSeen = ratio(row("trpc-jwt verifyToken, first-seen"), row("jose, key imported once"));
    const repeatedToken = ratio(row("trpc-jwt verifyToken, repeated"), row("fast-jwt, cache"));
    const noise = ratio(row("jose, key imported once (again"), row("jose, key imported once"));
    return `- ${group(alg)}: first-seen ${spread(firstSeen)} jose with an imported key (issue 9 target >= 0.90); repeated token ${spread(repeatedToken)} fast-jwt with cache; jose against itself ${spread(noise)}`;
  }).join("\n");
}
