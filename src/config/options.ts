import { JwtConfigError } from "../errors.js";
import { LIMITS } from "../options/limits.js";
import { clockOf, functionOf, nonEmptyString, objectOf, oneOf, optionNames, stringMatching, wholeNumber } from "../options/validate.js";
import type { TokenStore } from "../stores/TokenStore.js";
import { tokenStoreOf } from "../stores/tokenStoreOf.js";
import { algorithmOf, AUTH_TYPES, type AuthType } from "../jws/algorithms.js";
import type { KeyInput, PreviousKey } from "../keys/KeyInput.js";
import type { AuditHook } from "../telemetry/AuditEvent.js";
import { missingSecret } from "./missingSecret.js";

/**
 * Options for `new AuthManager(options)`.
 *
 * @example
 * ```ts
 * const options: AuthManagerOptions = { issuer: "my-api", authType: "HS256", secret: process.env.JWT_SECRET! };
 * ```
 */
export interface AuthManagerOptions {
  /** The `iss` claim written into tokens and required when verifying. Non-empty. */
  issuer: string;
  /** The one algorithm this manager signs with and accepts. */
  authType: AuthType;
  /**
   * HS256/HS384/HS512: the shared secret, a string (used as its UTF-8 bytes) or bytes, at least
   * as long as the hash (32, 48 or 64 bytes). Every other algorithm: the private key (see
   * {@link KeyInput}); RSA keys of at least 2048 bits, EC keys on the algorithm's curve, Ed25519
   * for EdDSA.
   *
   * Omit it (leave the option out, not `undefined`) for a manager that only verifies: asymmetric
   * algorithms with `publicKey`. Such a manager verifies and guards like any other, and every
   * method that signs throws `JwtConfigError` naming `secret`. Present but `undefined` or empty
   * is "is missing", so an unset variable never turns the issuing service into a verifier.
   */
  secret?: KeyInput;
  /**
   * Asymmetric algorithms only: the public key (PEM SPKI or PKCS#1, OpenSSH `ssh-rsa`, JWK,
   * `KeyObject`, `CryptoKey`). Derived from `secret` when omitted; when given it must be the
   * public half of `secret`. Without `secret`, the one key this (verify-only) manager checks
   * tokens with.
   */
  publicKey?: KeyInput | undefined;
  /**
   * The `kid` header of issued tokens. Default: the RFC 7638 thumbprint of the public key for
   * asymmetric algorithms, none for HMAC.
   */
  keyId?: string | undefined;
  /** Keys that still verify (never sign) during a rotation, same algorithm as `authType`. */
  previousKeys?: readonly PreviousKey[] | undefined;
  /**
   * Issued tokens carry it as `aud`; verified tokens must name it (the string, or an array that
   * contains it). Unset: a token that names any audience is refused.
   */
  audience?: string | undefined;
  /** Seconds (0..300) of clock skew allowed on `exp`, `nbf` and a future `iat`. Default 0. */
  clockTolerance?: number | undefined;
  /** Lifetime of auth tokens, in whole seconds (at most 10 years). Default 3600. */
  authMaxAge?: number | undefined;
  /** Lifetime of refresh tokens, in whole seconds (at most 10 years). Default 604800 (7 days). */
  refreshMaxAge?: number | undefined;
  /** Longest token string accepted, in characters; longer ones are refused unread. Default 8192. */
  maxTokenLength?: number | undefined;
  /**
   * How many verified tokens to remember, so a repeated token is not verified again. An entry
   * never outlives its token's `exp`. `0` turns the cache off. At most 1,000,000. Default 10000.
   */
  cacheSize?: number | undefined;
  /** The current time in milliseconds since the epoch; for tests. Default `Date.now`. */
  clock?: (() => number) | undefined;
  /**
   * Where sessions, used refresh tokens and revocations live: `memoryStore()` for one process,
   * `redisStore(client)` (from `trpc-jwt/redis`) for several. Needed by `rotate` and the
   * `revoke*` methods; with it every verification honours revocation. Default: none.
   */
  store?: TokenStore | undefined;
  /**
   * Seconds during which a just-rotated refresh token presented again gets a new pair in the same
   * session instead of counting as reuse (parallel refreshes that cannot coordinate). Default 0.
   */
  rotationGrace?: number | undefined;
  /**
   * The audit trail: called once after each `login`, `rotate`, detected reuse, `revoke`,
   * `revokeSession`, `revokeSubject`, `revokeOtherSessions` and API key `create` / `revoke` that
   * succeeded, with `{ event, sub, sid?, keyId?, ip?, at }` (see `AuditEvent` and
   * docs/observability.md). It runs in a task of its own, after the caller has its result and a
   * response built from it has been sent (on Cloudflare Workers, which drop work left after the
   * response, a microtask after the operation): what it throws, rejects with, never finishes or
   * how long it blocks changes and delays nothing. Default: none.
   */
  audit?: AuditHook | undefined;
  /**
   * What the API keys of this manager start with (`auth.apiKeys`, see docs/api-keys.md), so a
   * key is told from a JWT at a glance and by secret scanners: 1 to 16 lower-case letters or
   * digits (a letter first) and `_`. Default `"tjk_"`.
   */
  apiKeyPrefix?: string | undefined;
}

/** Options after validation, with every default filled in. Keys are checked by `importKeys`. */
export type ResolvedOptions = Readonly<ReturnType<typeof resolveOptions>>;

/** Every option name, for the "did you mean" of an unknown one. */
const OPTION_NAMES = optionNames<AuthManagerOptions>({
  issuer: true,
  authType: true,
  secret: true,
  publicKey: true,
  keyId: true,
  previousKeys: true,
  audience: true,
  clockTolerance: true,
  authMaxAge: true,
  refreshMaxAge: true,
  maxTokenLength: true,
  cacheSize: true,
  clock: true,
  store: true,
  rotationGrace: true,
  audit: true,
  apiKeyPrefix: true,
});

/**
 * Checks every option once and fills in the defaults. Keys are checked separately, by
 * `importKeys`. Throws `JwtConfigError` naming the first bad option; never echoes a secret.
 */
export function resolveOptions(options: AuthManagerOptions) {
  objectOf(options, "options", { names: OPTION_NAMES, kind: "an AuthManager option" });
  const { issuer, authType, secret, publicKey, keyId, audience, previousKeys } = options;
  nonEmptyString(issuer, "issuer");
  oneOf(authType, AUTH_TYPES, "authType");
  // Only an omitted secret makes a verify-only manager; one given as undefined or empty is missing.
  const verifyOnly = !Object.hasOwn(options, "secret") && algorithmOf(authType)?.keyType !== "secret" && !isMissing(publicKey);
  if (!verifyOnly && isMissing(secret)) throw new JwtConfigError("secret", missingSecret(authType));
  const clock = clockOf(options.clock);
  if (keyId !== undefined) nonEmptyString(keyId, "keyId");
  if (audience !== undefined) nonEmptyString(audience, "audience");
  if (previousKeys !== undefined && !Array.isArray(previousKeys)) {
    throw new JwtConfigError("previousKeys", "must be an array of { keyId?, publicKey } (HMAC: { keyId, secret })");
  }
  return {
    issuer,
    authType,
    // Undefined for a verify-only manager (asymmetric, with `publicKey`).
    secret,
    publicKey: isMissing(publicKey) ? undefined : publicKey,
    keyId,
    previousKeys: previousKeys ?? [],
    audience,
    clockTolerance: wholeNumber(options.clockTolerance, LIMITS.clockTolerance, "clockTolerance"),
    authMaxAge: wholeNumber(options.authMaxAge, LIMITS.authMaxAge, "authMaxAge"),
    refreshMaxAge: wholeNumber(options.refreshMaxAge, LIMITS.refreshMaxAge, "refreshMaxAge"),
    maxTokenLength: wholeNumber(options.maxTokenLength, LIMITS.maxTokenLength, "maxTokenLength"),
    cacheSize: wholeNumber(options.cacheSize, LIMITS.cacheSize, "cacheSize"),
    clock,
    store: tokenStoreOf(options.store),
    rotationGrace: wholeNumber(options.rotationGrace, LIMITS.rotationGrace, "rotationGrace"),
    audit: functionOf(options.audit, "audit"),
    apiKeyPrefix: stringMatching(
      options.apiKeyPrefix,
      "tjk_",
      API_KEY_PREFIX,
      "apiKeyPrefix",
      "must be 1 to 16 lower-case letters or digits, a letter first, then _ (such as tjk_)",
    ),
  };
}

// Never the start of a JWT (`eyJ`: upper case), never a character a key's own parts use as a separator.
const API_KEY_PREFIX = /^[a-z][a-z0-9]{0,15}_$/;

function isMissing(value: unknown): boolean {
  return value === undefined || value === null || value === "" || (value instanceof Uint8Array && value.byteLength === 0);
}
