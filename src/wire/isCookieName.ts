// RFC 6265 cookie-name (an RFC 7230 token): never empty.
const COOKIE_NAME = /^[!#$%&'*+\-.^`|~\w]+$/;

/**
 * Whether `name` can name a cookie (an RFC 7230 token; never empty).
 *
 * @example
 * ```ts
 * isCookieName("auth_token"); // true
 * isCookieName(""); // false
 * ```
 */
export function isCookieName(name: unknown): name is string {
  return typeof name === "string" && COOKIE_NAME.test(name);
}
