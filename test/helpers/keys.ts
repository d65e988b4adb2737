import { generateKeyPairSync } from "node:crypto";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { AUTH_TYPES, type AuthManagerOptions, type AuthType } from "trpc-jwt";
import { firstRsaPemPair } from "./rsaKeys.js";

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
export const HS384_SECRET = "a-48-byte-test-secret-for-hs384-0123456789abcdef";
export const HS512_SECRET = "a-64-byte-test-secret-for-hs512-0123456789abcdefghijklmnopqrstuv";
export const RSA_PRIVATE_PEM = flaskVectors.rsaPrivateKeyPem;
export const RSA_PUBLIC_PEM = flaskVectors.rsaPublicKeyPem;

/** A second 2048-bit pair, for "wrong key" cases. */
export const otherRsa = firstRsaPemPair();

/** Every algorithm trpc-jwt supports: the suites that iterate over it run under each. */
export const ALGORITHMS: readonly AuthType[] = AUTH_TYPES;

/** A PEM key pair (PKCS#8 / SPKI). */
export interface PemPair {
  privateKey: string;
  publicKey: string;
}
const pemPair = (namedCurve?: string): PemPair =>
  namedCurve === undefined
    ? generateKeyPairSync("ed25519", { publicKeyEncoding: { type: "spki", format: "pem" }, privateKeyEncoding: { type: "pkcs8", format: "pem" } })
    : generateKeyPairSync("ec", { namedCurve, publicKeyEncoding: { type: "spki", format: "pem" }, privateKeyEncoding: { type: "pkcs8", format: "pem" } });

/** The suite's asymmetric key pair for each family: Flask_PyJWT's RSA key, fresh EC and Ed25519 keys. */
export const PAIRS = {
  rsa: { privateKey: RSA_PRIVATE_PEM, publicKey: RSA_PUBLIC_PEM },
  "P-256": pemPair("P-256"),
  "P-384": pemPair("P-384"),
  "P-521": pemPair("P-521"),
  Ed25519: pemPair(),
} satisfies Record<string, PemPair>;

const SECRETS: Partial<Record<AuthType, string>> = { HS256: HS256_SECRET, HS384: HS384_SECRET, HS512: HS512_SECRET };

/** The suite's key pair for an asymmetric algorithm. */
export function pairFor(alg: AuthType): PemPair {
  if (alg.startsWith("RS") || alg.startsWith("PS")) return PAIRS.rsa;
  if (alg === "EdDSA") return PAIRS.Ed25519;
  return PAIRS[({ ES256: "P-256", ES384: "P-384", ES512: "P-521" } as const)[alg as "ES256"]];
}

/** The signing key material for an algorithm: the HMAC secret, or the private key PEM. */
export function secretFor(alg: AuthType): string {
  return SECRETS[alg] ?? pairFor(alg).privateKey;
}

/** Options for one algorithm with this suite's keys. */
export function optionsFor(authType: AuthType, extra: Partial<AuthManagerOptions> = {}): AuthManagerOptions {
  return { issuer: "Flask_PyJWT", authType, secret: secretFor(authType), ...extra };
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
