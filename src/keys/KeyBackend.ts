import type { KeyInput, PreviousKey } from "./KeyInput.js";
import { JwtConfigError } from "../errors.js";
import type { AuthType } from "../jws/algorithms.js";
import type { ImportedKey } from "./ImportedKey.js";

/** The manager's key options, as `resolveOptions` leaves them (its resolved options are one). */
export interface KeyConfig {
  readonly authType: AuthType;
  /** The HMAC secret or the private key; undefined for a verify-only manager. */
  readonly secret: KeyInput | undefined;
  readonly publicKey: KeyInput | undefined;
  readonly keyId: string | undefined;
  readonly previousKeys: readonly PreviousKey[];
}

/** The options a key pair's errors name: `secret` and `publicKey`, or a previous key's (`previousKeys[0].secret`, ...). */
export interface PairNames {
  readonly secret: string;
  readonly publicKey: string;
}

/** A key the ring verifies with, and its public JWK (a promise while Web Crypto imports it). */
export interface PublishedKey {
  readonly key: ImportedKey;
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
   * The signing key (none without `secret`) and the verifying key of an asymmetric algorithm,
   * checked to be one pair: `secret` read as the private key, `publicKey` (when given) as its
   * public half. For the current pair and for a previous key alike (its errors naming `names`).
   */
  currentKeys(config: KeyConfig, names: PairNames): { readonly signing: ImportedKey | undefined; readonly current: PublishedKey };
}

/** The error for a key of the wrong half in `option`. */
export function wrongHalf(option: string, half: "private" | "public"): JwtConfigError {
  return new JwtConfigError(option, half === "private" ? "is a public key; the private key belongs here" : "is a private key; pass the public half");
}

/** The error for a `publicKey` that is not the public half of `secret`. */
export function notThePair({ secret, publicKey }: PairNames): JwtConfigError {
  return new JwtConfigError(publicKey, `is not the public half of ${secret}`);
}
