// What the server's cookie sessions and the browser entry both read and write: the cookie names,
// the CSRF header and the expiry hint's format. Written once here, so a renamed default cannot
// silently break the client. Browser-safe: imports nothing.

/** The cookies of a cookie session, by role. */
export type CookieRole = "auth" | "refresh" | "csrf" | "expires";

// The names without the prefix a `Secure` cookie gets by default.
const BASE_NAMES: Readonly<Record<CookieRole, string>> = { auth: "auth", refresh: "refresh", csrf: "csrf", expires: "auth-exp" };

/**
 * The default name of a session cookie: `__Host-` prefixed when `secure` (the server's default),
 * bare for plain-http development (`secure: false`). Module-internal.
 *
 * @example
 * ```ts
 * defaultCookieName("csrf", true); // "__Host-csrf"
 * defaultCookieName("expires", false); // "auth-exp"
 * ```
 */
export function defaultCookieName(role: CookieRole, secure: boolean): string {
  return (secure ? "__Host-" : "") + BASE_NAMES[role];
}

/** The header that must repeat the csrf cookie's value on cookie-authenticated requests other than GET. */
export const CSRF_HEADER = "x-csrf-token";

/**
 * The expiry hint cookie's value: the auth token's `exp` (seconds), then its id. Two pairs issued
 * in the same second still differ, so a tab can tell that another one refreshed. Module-internal.
 *
 * @example
 * ```ts
 * expiryHint(1767225600, "k3Jq"); // "1767225600.k3Jq"
 * ```
 */
export function expiryHint(exp: number, jti: string | undefined): string {
  return `${exp}.${jti ?? ""}`;
}

/**
 * The `exp` (seconds) an expiry hint carries: `NaN` when the value is not a hint. Module-internal.
 *
 * @example
 * ```ts
 * hintExpiry("1767225600.k3Jq"); // 1767225600
 * ```
 */
export function hintExpiry(hint: string): number {
  return Number(hint.split(".")[0]);
}
