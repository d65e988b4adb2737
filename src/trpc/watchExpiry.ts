import type { TokenSource } from "../issuers/tokenSourceOf.js";
import { isFresh } from "../policy/isFresh.js";
import type { JwtToken } from "../tokens/JwtToken.js";

// setTimeout fires at once for a delay of 2^31 ms or more (about 24.8 days): a 30-day token
// would end its subscription immediately. Long waits are taken in steps well below that.
const MAX_STEP_MS = 2 ** 30;
// A timer that fires while the deadline has still not passed waits again, for what is left:
// once exactly (a timer armed late in a long event-loop turn counts from the turn's start, so
// it fires early by as much), then at least this long each time (the issuer's clock is not the
// wall clock): never a busy loop, and still well within a second of the real deadline.
const REARM_FLOOR_MS = 250;
const EXACT_ARMS = 2;

/** A moment after which a subscription's token no longer passes its guard. Module-internal. */
export interface Deadline {
  /** Now, in milliseconds, by the clock the deadline is judged by. */
  readonly now: () => number;
  /** When the deadline passes by that clock, in milliseconds (a hint: `isPast` decides). */
  readonly at: number;
  /** Whether it has passed: the guard's own check, so the watch and the guard never disagree. */
  readonly isPast: () => boolean;
}

/** When `token` expires by the clock and the `clockTolerance` of its issuer. Module-internal. */
export function expiryOf(source: TokenSource, token: JwtToken): Deadline {
  return { now: () => source.now(token), at: source.expiresAt(token), isPast: () => !source.isUnexpired(token) };
}

/**
 * When `token` stops being fresh enough for `requireToken({ maxAuthAge })`: from the first
 * second after `auth_time + maxAuthAge` (`isFresh` counts whole seconds). Module-internal.
 */
export function freshnessOf(source: TokenSource, token: JwtToken, maxAuthAge: number): Deadline {
  const now = () => source.now(token);
  const authTime = token.claims["auth_time"];
  // A token without a usable auth_time never passed the guard: it is past at once.
  const at = typeof authTime === "number" ? (authTime + maxAuthAge + 1) * 1000 : Number.NEGATIVE_INFINITY;
  return { now, at, isPast: () => !isFresh(token, maxAuthAge, Math.floor(now() / 1000)) };
}

/**
 * Calls `onPast` once, when `deadline` passes (so a long-lived subscription ends with its
 * token: not before, and not a tolerance later). One timer at a time; after the second, never
 * one sooner than 250 ms. Returns a function that cancels the watch; it leaves no timer behind either way.
 * Module-internal.
 *
 * @example
 * ```ts
 * const stop = watchDeadline(expiryOf(source, token), () => end(refused("TOKEN_EXPIRED", "expired")));
 * ```
 */
export function watchDeadline(deadline: Deadline, onPast: () => void): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let arms = 0;
  const arm = (): void => {
    timer = undefined;
    if (deadline.isPast()) return onPast();
    // Re-checked when the timer fires: a step ends early, or the clock is not the wall clock.
    // A millisecond over: a timer rounds its delay.
    const left = Math.ceil(deadline.at - deadline.now()) + 1;
    const floor = ++arms <= EXACT_ARMS ? 1 : REARM_FLOOR_MS;
    timer = setTimeout(arm, Math.min(Math.max(left, floor), MAX_STEP_MS));
  };
  arm();
  return () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
  };
}
