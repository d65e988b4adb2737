// Signing (issue 26): trpc-jwt's authToken and login against fast-jwt's createSigner and jose's
// SignJWT, one group per algorithm, every call awaited (a promise for trpc-jwt and jose, a string
// for fast-jwt). Every signer writes the same claims: iss, iat, exp, sub, type and a fresh jti.
import { randomUUID, webcrypto } from "node:crypto";
import { createSigner } from "fast-jwt";
import { importPKCS8, SignJWT } from "jose";
import { AuthManager, memoryStore } from "trpc-jwt";
import { BENCH_ALGS, benchKeys, HMAC_SECRET, type BenchAlg } from "./algorithms.js";
import { measureGroup, ratio, type Case, type GroupOptions, type Row } from "./harness.js";
import { onPath } from "./native.js";

const ISSUER = "bench";
/** The row every other row of a signing group is compared with. */
export const AUTH_TOKEN_ROW = "trpc-jwt authToken";
const FAST_ROW = "fast-jwt createSigner";
const LOGIN_ROW = "trpc-jwt login, memoryStore()";
export const signGroup = (alg: BenchAlg) => `sign ${alg}, sequential`;

async function signRows(alg: BenchAlg, options: GroupOptions): Promise<Row[]> {
  const keys = benchKeys(alg);
  const manager = { issuer: ISSUER, authType: alg, secret: keys.secret } as const;
  const auth = new AuthManager(manager);
  const joseFallback = onPath(false, () => new AuthManager(manager));
  const sessions = new AuthManager({ ...manager, store: memoryStore() });
  const joseKey =
    alg === "HS256"
      ? await webcrypto.subtle.importKey("raw", new TextEncoder().encode(HMAC_SECRET), { name: "HMAC", hash: "SHA-256" }, false, ["sign"])
      : await importPKCS8(keys.secret, alg);
  const fastSigner = createSigner({ key: keys.secret, algorithm: alg, iss: ISSUER, expiresIn: 3600_000 });
  const cases: Case[] = [
    [AUTH_TOKEN_ROW, () => auth.authToken("alice")],
    [FAST_ROW, () => fastSigner({ sub: "alice", type: "auth", jti: randomUUID() })],
    [
      "jose SignJWT, key imported once",
      () =>
        new SignJWT({ sub: "alice", type: "auth", jti: randomUUID() })
          .setProtectedHeader({ alg, typ: "JWT" })
          .setIssuer(ISSUER)
          .setIssuedAt()
          .setExpirationTime("1h")
          .sign(joseKey),
    ],
    ["trpc-jwt authToken, jose fallback", () => joseFallback.authToken("alice")],
    // Two tokens (auth and refresh) and a session in the store.
    [LOGIN_ROW, () => sessions.login("alice")],
  ];
  return measureGroup(signGroup(alg), cases, options);
}

/** One sequential group per algorithm. */
export async function signingRows(options: GroupOptions): Promise<Row[]> {
  const rows: Row[] = [];
  for (const alg of BENCH_ALGS) rows.push(...(await signRows(alg, options)));
  return rows;
}

/** The issue 26 target lines, each ratio with its spread over the blocks of cycles. */
export function signingTargets(rows: readonly Row[], spread: (r: ReturnType<typeof ratio>, digits?: number) => string): string[] {
  return BENCH_ALGS.map((alg) => {
    const row = (name: string) => rows.find((candidate) => candidate.group === signGroup(alg) && candidate.name === name)!;
    const ours = row(AUTH_TOKEN_ROW);
    const speed = ratio(ours, row(FAST_ROW));
    const login = ratio(ours, row(LOGIN_ROW));
    return `- ${signGroup(alg)}: authToken ${spread(speed)} fast-jwt's createSigner (target >= ${alg === "HS256" ? "1.0" : "0.9"}); login with memoryStore() costs ${spread(login)} an authToken (target <= 2)`;
  });
}
