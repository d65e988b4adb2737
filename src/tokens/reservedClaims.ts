// Its own module: the package's declarations reach it without reaching the signing code.

/**
 * The claim of a sessionless token issued by a manager with a store: the subject's revocation
 * generation in the store when the token was issued, so that `revokeSubject` refuses exactly the
 * tokens issued before it, whatever the issuing process's clock says. Module-internal.
 */
export const SUBJECT_GENERATION = "sub_gen";

/**
 * Claims this library sets or checks itself; extra claims may never overwrite them.
 *
 * @example
 * ```ts
 * RESERVED_CLAIMS.has("exp"); // true: auth.authToken("a", undefined, { exp: 1 }) throws
 * ```
 */
export const RESERVED_CLAIMS: ReadonlySet<string> = new Set([
  "iss",
  "sub",
  "iat",
  "exp",
  "nbf",
  "jti",
  "type",
  "scope",
  "aud",
  "sid",
  "auth_time",
  "csrf",
  SUBJECT_GENERATION,
  "rot",
  "acr",
  "amr",
]);
