import type { JwtErrorCode } from "../errors.js";
import { jwtErrorCode } from "./jwtErrorCode.js";

/**
 * What a client should do about a refused call:
 * - `"refresh"`: the auth token expired; refresh it and call again (`refreshLink` does this).
 * - `"login"`: the credentials are gone for good (missing, invalid, revoked, reused, or too old
 *   for this procedure); send the user to log in again.
 * - `"forbidden"`: the user is logged in but may not do this; show it, do not log out.
 * - `"retry-later"`: the server could not check the token (store or keys unavailable), or the
 *   call was throttled (`RATE_LIMITED`: wait `retryAfter` seconds, in the error data); the
 *   session may be fine, so keep it and try again later.
 * - `"step-up"`: the session is fine, but this procedure needs a stronger or more recent login
 *   (`acrValues`, `maxAge` in the error data); re-authenticate and call again (`stepUpLink` does this).
 */
export type JwtErrorAction = "refresh" | "login" | "forbidden" | "retry-later" | "step-up";

/**
 * The action for each code.
 *
 * @example
 * ```ts
 * JWT_ERROR_ACTIONS.TOKEN_REVOKED; // "login"
 * ```
 */
export const JWT_ERROR_ACTIONS = Object.freeze({
  TOKEN_MISSING: "login",
  TOKEN_INVALID: "login",
  TOKEN_EXPIRED: "refresh",
  TOKEN_WRONG_TYPE: "login",
  CLAIMS_MISMATCH: "forbidden",
  SCOPE_MISMATCH: "forbidden",
  TOKEN_REVOKED: "login",
  TOKEN_REUSED: "login",
  TOKEN_NOT_FRESH: "login",
  STEP_UP_REQUIRED: "step-up",
  CSRF_MISMATCH: "forbidden",
  RATE_LIMITED: "retry-later",
  STORE_UNAVAILABLE: "retry-later",
  KEYS_UNAVAILABLE: "retry-later",
} as const satisfies Record<JwtErrorCode, JwtErrorAction>);

// Errors `refreshLink` already acted on: a TOKEN_EXPIRED whose refresh failed is no longer "refresh".
const SETTLED = new WeakMap<object, JwtErrorAction>();

/**
 * What to do about an error: the action of its code (see {@link JWT_ERROR_ACTIONS}), or, for an
 * error `refreshLink` hands back after acting on it, the outcome of that: `"login"` when the
 * refresh was refused or the session changed meanwhile, `"retry-later"` when the server could
 * not check the refresh token. `undefined` when the error is not a token refusal.
 *
 * @example
 * ```ts
 * try { await client.profile.update.mutate(changes); }
 * catch (e) {
 *   const action = jwtErrorAction(e); // "login" | "forbidden" | "retry-later" | "refresh" | undefined
 *   if (action === "login") location.assign("/login");
 * }
 * ```
 */
export function jwtErrorAction(error: unknown): JwtErrorAction | undefined {
  const settled = typeof error === "object" && error !== null ? SETTLED.get(error) : undefined;
  if (settled !== undefined) return settled;
  const code = jwtErrorCode(error);
  return code === undefined ? undefined : JWT_ERROR_ACTIONS[code];
}

/** Records what `refreshLink` concluded about `error`. Module-internal (not exported from the entry). */
export function settleError<T>(error: T, action: JwtErrorAction): T {
  if (typeof error === "object" && error !== null) SETTLED.set(error, action);
  return error;
}
