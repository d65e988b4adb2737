/**
 * An `acr` or `amr` value trpc-jwt issues or requires: printable ASCII without spaces, quotes or
 * backslashes, so that a list of them fits unescaped in a `WWW-Authenticate` challenge's quoted,
 * space-separated `acr_values` (RFC 9470) and in an authorization request's `acr_values`.
 *
 * @example
 * ```ts
 * CHALLENGE_VALUE.test("urn:mfa"); // true
 * ```
 */
export const CHALLENGE_VALUE = /^[\x21\x23-\x5B\x5D-\x7E]+$/;
