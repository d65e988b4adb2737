import type { JwtToken } from "../tokens/JwtToken.js";
import type { SessionOptions, TokenPair } from "./sessionTypes.js";

// When what a store keeps about tokens may go: never before the tokens it concerns stop being
// accepted, and not longer.

/**
 * When a token stops being accepted, in ms since the epoch.
 *
 * @example
 * ```ts
 * tokenExpiry(token, { clockTolerance: 5 }); // (token.exp + 5) * 1000
 * ```
 */
export function tokenExpiry(token: JwtToken, { clockTolerance }: Pick<SessionOptions, "clockTolerance">): number {
  return (token.exp + clockTolerance) * 1000;
}

/**
 * The later of a pair's two expiries, in ms.
 *
 * @example
 * ```ts
 * await store.createSession(sid, data, pairExpiry(pair, options));
 * ```
 */
export function pairExpiry({ authToken, refreshToken }: TokenPair, options: Pick<SessionOptions, "clockTolerance">): number {
  return Math.max(tokenExpiry(authToken, options), tokenExpiry(refreshToken, options));
}

/**
 * The latest any token issued so far stops being accepted, in ms.
 *
 * @example
 * ```ts
 * await store.revokeSession(sid, latestExpiry(options));
 * ```
 */
export function latestExpiry({ clock, maxTokenLifetime, clockTolerance }: Pick<SessionOptions, "clock" | "maxTokenLifetime" | "clockTolerance">): number {
  return clock() + (maxTokenLifetime + clockTolerance) * 1000;
}
