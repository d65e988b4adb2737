import { JwtError, type JwtErrorCode } from "../errors.js";

/**
 * Which step of a verification refused a token: its shape (`format`), its header (`header`:
 * an algorithm or key id no verifier accepts), the signature (`signature`), its `issuer` (`iss`),
 * its `audience` (`aud`), its other claims (`claims`: times, subject, type claim, header
 * parameters), `expired`, or the token type asked for (`type`). For the development hook
 * `onRefused`; never token text or values.
 */
export type TokenProblem = "format" | "header" | "signature" | "issuer" | "audience" | "claims" | "expired" | "type";

/** What a claim check refuses a token for: `expired` is `TOKEN_EXPIRED`, the others `TOKEN_INVALID`. */
export type ClaimProblem = Extract<TokenProblem, "issuer" | "audience" | "claims" | "expired">;

// Kept beside the error, never on it: a careless error formatter that serialises the cause
// cannot put it into a response.
const PROBLEMS = new WeakMap<JwtError, TokenProblem>();

/**
 * A verifier's refusal of a token, remembering which step refused it. Module-internal.
 *
 * @example
 * ```ts
 * throw tokenRefusal("TOKEN_INVALID", "signature");
 * ```
 */
export function tokenRefusal(code: JwtErrorCode, problem: TokenProblem): JwtError {
  const error = new JwtError(code);
  PROBLEMS.set(error, problem);
  return error;
}

/**
 * The step that refused a token, when a verifier recorded it. Module-internal.
 *
 * @example
 * ```ts
 * tokenProblemOf(tokenRefusal("TOKEN_INVALID", "claims")); // "claims"
 * ```
 */
export function tokenProblemOf(error: JwtError): TokenProblem | undefined {
  return PROBLEMS.get(error);
}

/** The refusal for a claim check's problem: `expired` is `TOKEN_EXPIRED`, anything else `TOKEN_INVALID`. */
export function claimRefusal(problem: ClaimProblem): JwtError {
  return tokenRefusal(problem === "expired" ? "TOKEN_EXPIRED" : "TOKEN_INVALID", problem);
}
