import type { JwtError } from "../errors.js";
import { refused } from "./refused.js";

// Kept beside the error, never on it, like a step-up challenge.
const RETRY_AFTER = new WeakMap<JwtError, number>();

/**
 * The refusal of a throttled call (`RATE_LIMITED`), carrying the whole seconds to wait. Module-internal.
 *
 * @example
 * ```ts
 * throw toTRPCError(rateLimited(12)); // 429, data.retryAfter 12 through jwtErrorFormatter
 * ```
 */
export function rateLimited(retryAfter: number): JwtError {
  const error = refused("RATE_LIMITED", "rateLimit");
  RETRY_AFTER.set(error, retryAfter);
  return error;
}

/**
 * `{ retryAfter }` for a throttled call's refusal, else nothing. Module-internal.
 *
 * @example
 * ```ts
 * retryAfterOf(rateLimited(3)); // { retryAfter: 3 }
 * ```
 */
export function retryAfterOf(error: unknown): { retryAfter?: number } {
  const seconds = typeof error === "object" && error !== null ? RETRY_AFTER.get(error as JwtError) : undefined;
  return seconds === undefined ? {} : { retryAfter: seconds };
}
