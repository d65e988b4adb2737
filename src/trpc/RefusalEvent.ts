import type { JwtErrorCode } from "../errors.js";

/**
 * What `onRefused` is told about one refusal. Never token text, claim values or key material:
 * only which check failed and where.
 */
export interface RefusalEvent {
  /** The code the client receives, e.g. `"TOKEN_INVALID"`. */
  readonly code: JwtErrorCode;
  /**
   * Which check failed, a fixed string: `"missing"` (no token at the location), `"credential"`
   * (not exactly one well-formed credential: a duplicated header or cookie, another scheme),
   * the step that refused a token (`"format"`, `"header"`, `"signature"`, `"claims"`), `"expired"`, `"type"`,
   * `"auth_time"` (`maxAuthAge`: the login is too old, or the token has no `auth_time`),
   * `"acr"` / `"amr"` (step-up: the login's `acr` or `amr` is not one the guard accepts),
   * `"revoked"`, `"keys"` / `"store"` (unavailable), `"claims.input.<claim>"` (the claim does not
   * match the bound input), `"claims.<claim>"` (a literal claim rule), `"scope"`, `"allow"`
   * (the predicate returned something other than `true`), `"procedure"` (a refusal thrown
   * inside the procedure, e.g. by `auth.rotate`).
   */
  readonly reason: string;
  /** The procedure path, e.g. `"user.byId"`. */
  readonly path: string;
}
