/** One call counted by {@link RateLimitStore.hitRateLimit}. */
export interface RateLimitHit {
  /** Whether the call is within the limit (it was counted); a refused call is not counted. */
  readonly allowed: boolean;
  /** When refused: milliseconds until the oldest counted call leaves the window. */
  readonly retryAfterMs: number;
}

/**
 * Optional part of a `TokenStore`: the counters of `auth.rateLimit`. A sliding window: a call is
 * allowed while fewer than `limit` calls under `key` were allowed in the last `windowMs`, so no
 * window of that length ever holds more than `limit` (a fixed window lets 2 x `limit` through
 * around its edge). Atomic across every process sharing the store. `memoryStore` and `redisStore` have it.
 */
export interface RateLimitStore {
  /** Counts one call under `key`, unless `limit` calls were allowed in the last `windowMs`. */
  hitRateLimit(key: string, limit: number, windowMs: number): Promise<RateLimitHit>;
}
