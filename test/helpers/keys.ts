import { generateKeyPairSync } from "node:crypto";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { AuthManagerOptions, AuthType } from "trpc-jwt";

/** The interop vectors issued by the real Flask_PyJWT (test/fixtures, a copy of the shared vectors). */
export interface Vector {
  alg: AuthType;
  kind: "auth" | "refresh";
  expect: "valid" | "expired" | "wrong-issuer";
  token: string;
  sub: string;
  scope?: unknown;
  claims?: Record<string, unknown>;
}
export interface VectorFile {
  issuer: string;
  hmacSecret: string;
  rsaPrivateKeyPem: string;
  rsaPublicKeyPem: string;
  vectors: Vector[];
}

const vectorsPath = fileURLToPath(new URL("../fixtures/flask_pyjwt.json", import.meta.url));
export const flaskVectors: VectorFile = JSON.parse(readFileSync(vectorsPath, "utf8"));

export const HS256_SECRET = "test-secret-of-exactly-32-bytes!";
export const HS512_SECRET = "a-64-byte-test-secret-for-hs512-0123456789abcdefghijklmnopqrstuv";
export const RSA_PRIVATE_PEM = flaskVectors.rsaPrivateKeyPem;
export const RSA_PUBLIC_PEM = flaskVectors.rsaPublicKeyPem;

/** A second 2048-bit pair, for "wrong key" cases. */
export const otherRsa = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  publicKeyEncoding: { type: "spki", format: "pem" },
  privateKeyEncoding: { type: "pkcs8", format: "pem" },
});

export const ALGORITHMS: readonly AuthType[] = ["HS256", "HS512", "RS256", "RS512"];

/** Options for one algorithm with this suite's keys. */
export function optionsFor(authType: AuthType, extra: Partial<AuthManagerOptions> = {}): AuthManagerOptions {
  const secret = authType === "HS256" ? HS256_SECRET : authType === "HS512" ? HS512_SECRET : RSA_PRIVATE_PEM;
  return { issuer: "Flask_PyJWT", authType, secret, ...extra };
}

/** A settable clock, in milliseconds. */
export function fakeClock(startMs = Date.UTC(2030, 0, 1)) {
  let now = startMs;
  return {
    now: () => now,
    advance(seconds: number) {
      now += seconds * 1000;
    },
    set(ms: number) {
      now = ms;
    },
  };
}
