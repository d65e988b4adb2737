// Ten years, in seconds: every timestamp a manager writes stays far below readClaims' bound
// (year 9999), whatever the clock says.
const TEN_YEARS = 10 * 365 * 24 * 3600;
// Timers (setTimeout, AbortSignal.timeout) count milliseconds in a signed 32-bit integer: a
// longer delay fires at once, so a deadline above it would time every call out.
const MAX_TIMER_MS = 2 ** 31 - 1;

/** A whole-number option's range, and its value when unset. */
export interface Limit {
  readonly min: number;
  readonly max: number;
  readonly fallback: number;
}

/**
 * Every whole-number option's range and default, in one table: an option that two parsers take
 * (`clockTolerance`, `maxTokenLength`, `cacheSize`) has one row, so the parsers cannot drift.
 *
 * @example
 * ```ts
 * const cacheSize = wholeNumber(options.cacheSize, LIMITS.cacheSize, "cacheSize");
 * ```
 */
export const LIMITS = Object.freeze({
  /** Seconds of clock skew allowed on `exp`, `nbf` and a future `iat` (AuthManager, RemoteIssuer). */
  clockTolerance: { min: 0, max: 300, fallback: 0 },
  /** Seconds an auth token lives. */
  authMaxAge: { min: 1, max: TEN_YEARS, fallback: 3600 },
  /** Seconds a refresh token lives. */
  refreshMaxAge: { min: 1, max: TEN_YEARS, fallback: 604_800 },
  /** Seconds before the auth cookie's expiry that cookieRefreshLink refreshes: at most an auth token's longest life. */
  refreshBefore: { min: 0, max: TEN_YEARS, fallback: 10 },
  /** Seconds a just-rotated refresh token may be presented again. */
  rotationGrace: { min: 0, max: TEN_YEARS, fallback: 0 },
  /** Characters of the longest token read; JWT headers and payloads need room, below 64 no real token fits. */
  maxTokenLength: { min: 64, max: Number.MAX_SAFE_INTEGER, fallback: 8192 },
  /** Verified tokens remembered. The cache's "seen once" table grows with it: a million entries is already a large process. */
  cacheSize: { min: 0, max: 1_000_000, fallback: 10_000 },
  /** Seconds the longest access token of an identity provider lives: its back-channel logouts are kept that long. */
  maxTokenLifetime: { min: 1, max: TEN_YEARS, fallback: 86_400 },
  /** Milliseconds after which a remote key set is fetched again. */
  cacheMaxAge: { min: 0, max: Number.MAX_SAFE_INTEGER, fallback: 600_000 },
  /** Milliseconds past `cacheMaxAge` a remote key set still serves. */
  maxStale: { min: 0, max: Number.MAX_SAFE_INTEGER, fallback: 86_400_000 },
  /** Least milliseconds between two fetches of a remote key set. */
  cooldownDuration: { min: 0, max: Number.MAX_SAFE_INTEGER, fallback: 30_000 },
  /** Milliseconds a key fetch may take (a timer). */
  timeoutDuration: { min: 1, max: MAX_TIMER_MS, fallback: 5000 },
  /** Milliseconds a Redis command may take (a timer). */
  redisTimeout: { min: 1, max: MAX_TIMER_MS, fallback: 1000 },
  /** Replicas a redisStore write waits for (`WAIT`); the fallback is unused: the default depends on the Redis. */
  redisReplicas: { min: 0, max: 16, fallback: 0 },
  /** Seconds an API key lives (`apiKeys.create`'s `expiresIn`); the fallback is unused: unset, a key does not expire. */
  apiKeyExpiresIn: { min: 1, max: TEN_YEARS, fallback: 0 },
} satisfies Record<string, Limit>);
