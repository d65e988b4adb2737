import type { JwtToken } from "../tokens/JwtToken.js";

/**
 * Whether the user behind a token logged in recently enough: its `auth_time` (seconds) is at most
 * `maxAuthAge` seconds before `nowSeconds`. A token without a whole, non-negative `auth_time`
 * is never fresh.
 *
 * @example
 * ```ts
 * isFresh(token, 300, Math.floor(Date.now() / 1000)); // logged in within the last 5 minutes
 * ```
 */
export function isFresh(token: JwtToken, maxAuthAge: number, nowSeconds: number): boolean {
  const { claims } = token;
  const authTime = Object.hasOwn(claims, "auth_time") ? claims["auth_time"] : undefined;
  return typeof authTime === "number" && Number.isSafeInteger(authTime) && authTime >= 0 && nowSeconds - authTime <= maxAuthAge;
}
