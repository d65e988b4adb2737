// Its own module: the package's declarations reach it without reaching the signing code.
/**
 * Claims this library sets or checks itself; extra claims may never overwrite them.
 *
 * @example
 * ```ts
 * RESERVED_CLAIMS.has("exp"); // true: auth.authToken("a", undefined, { exp: 1 }) throws
 * ```
 */
export const RESERVED_CLAIMS: ReadonlySet<string> = new Set(["iss", "sub", "iat", "exp", "nbf", "jti", "type", "scope", "aud", "sid", "auth_time", "csrf"]);
