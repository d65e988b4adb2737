import type { TokenSource } from "../issuers/tokenSourceOf.js";
import type { JwtToken } from "../tokens/JwtToken.js";

// setTimeout fires at once for a delay of 2^31 ms or more (about 24.8 days): a 30-day token
// would end its subscription immediately. Long waits are taken in steps well below that.
const MAX_STEP_MS = 2 ** 30;

/**
 * Calls `onExpired` once, when `token` expires by the clock of the issuer that verified it (so a
 * long-lived subscription ends with its token). Returns a function that cancels the watch; it
 * leaves no timer behind either way. Module-internal.
 *
 * @example
 * ```ts
 * const stop = watchExpiry(source, token, () => end(refused("TOKEN_EXPIRED", "expired")));
 * ```
 */
export function watchExpiry(source: TokenSource, token: JwtToken, onExpired: () => void): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const arm = (): void => {
    timer = undefined;
    if (!source.isUnexpired(token)) return onExpired();
    // Re-checked when the timer fires: a step ends early, or the clock is not the wall clock.
    const left = token.exp * 1000 - source.now(token);
    timer = setTimeout(arm, Math.min(Math.max(left, 1), MAX_STEP_MS));
  };
  arm();
  return () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
  };
}
