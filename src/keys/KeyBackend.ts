import type { PreviousKey } from "./KeyInput.js";
import { JwtConfigError } from "../errors.js";
import type { AuthType } from "../jws/algorithms.js";
import type { ImportedKey } from "./ImportedKey.js";

/**
 * The manager's key options, as `resolveOptions` leaves them (its resolved options are one): the
 * current key is read like a previous one (`secret`, `publicKey`, `keyId`; no `secret` for a
 * verify-only manager), with the algorithm and the previous keys.
 */
export interface KeyConfig extends PreviousKey {
  readonly authType: AuthType;
  readonly previousKeys: readonly PreviousKey[];
}

/** One asymmetric key pair, read and checked by a backend. */
export interface CheckedPair {
  /** The private key (none without `secret`): the current pair's signs, a previous pair's never does. */
  readonly signing: ImportedKey | undefined;
  /** The public key. */
  readonly verifying: ImportedKey;
  /** Its public JWK (a promise while Web Crypto imports it). */
  readonly jwk: JsonWebKey | Promise<JsonWebKey>;
}

/**
 * What `importKeys` needs from a crypto runtime: node:crypto (`nodeKeys`), or Web Crypto where
 * node:crypto is missing (`webCryptoKeys`). The rules (which option may hold what, ids, HMAC
 * secrets) are `importKeys`' and written once; a backend only reads and checks key material.
 */
export interface KeyBackend {
  /** Whether a key without `keyId` gets its RFC 7638 thumbprint as `kid` (else none, and a previous asymmetric key needs a `keyId`). */
  readonly thumbprints: boolean;
  /** An HMAC key from checked secret bytes. */
  secretKey(bytes: Uint8Array<ArrayBuffer>, alg: AuthType, usages: KeyUsage[]): ConstructorParameters<typeof ImportedKey>[2];
  /**
   * The pair of an asymmetric algorithm, checked to be one: `secret` read as the private key,
   * `publicKey` (when given) as its public half. For the current pair and for a previous key
   * alike: its errors name the options after `prefix` (`""`, `"previousKeys[0]."`, ...).
   */
  readPair(alg: AuthType, pair: PreviousKey, prefix: string): CheckedPair;
}

/** The error for a key of the wrong half in `option`. */
export function wrongHalf(option: string, half: "private" | "public"): JwtConfigError {
  return new JwtConfigError(option, half === "private" ? "is a public key; the private key belongs here" : "is a private key; pass the public half");
}

/** The error for a `publicKey` that is not the public half of `secret`, both after `prefix`. */
export function notThePair(prefix: string): JwtConfigError {
  return new JwtConfigError(`${prefix}publicKey`, `is not the public half of ${prefix}secret`);
}
