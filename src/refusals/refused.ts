import { isRefusal, JwtError, refusal, type JwtErrorCode } from "../errors.js";
import { tokenProblemOf } from "../tokens/tokenProblem.js";

// Why each guard refusal happened, for the development hook `onRefused`. Kept beside the error,
// never on it: a careless error formatter serialising the cause cannot put it in a response.
const REASONS = new WeakMap<JwtError, string>();

// For refusals whose verifier recorded no step (a store's or a key set's own errors).
const VERIFIER_REASONS: Partial<Record<JwtErrorCode, string>> = {
  TOKEN_EXPIRED: "expired",
  TOKEN_WRONG_TYPE: "type",
  TOKEN_REVOKED: "revoked",
  KEYS_UNAVAILABLE: "keys",
  STORE_UNAVAILABLE: "store",
};

/**
 * A refusal (see `refusal` in errors.ts) made by a guard, with the fixed reason `onRefused`
 * reports: which check failed, never token text or claim values. Module-internal.
 *
 * @example
 * ```ts
 * throw refused("SCOPE_MISMATCH", "scope");
 * ```
 */
export function refused(code: JwtErrorCode, reason: string): JwtError {
  const error = refusal(code);
  REASONS.set(error, reason);
  return error;
}

/**
 * The refusal to report for whatever a verifier or a procedure body failed with: a refusal is
 * kept as it is; another `JwtError` (the verifier's own) becomes a refusal with its code;
 * anything else fails closed as `TOKEN_INVALID`. Module-internal.
 *
 * @example
 * ```ts
 * verified.catch((error) => Promise.reject(asRefusal(error)));
 * ```
 */
export function asRefusal(error: unknown): JwtError {
  if (isRefusal(error)) return error;
  const code = error instanceof JwtError ? error.code : "TOKEN_INVALID";
  const problem = error instanceof JwtError ? tokenProblemOf(error) : undefined;
  return refused(code, problem ?? VERIFIER_REASONS[code] ?? "token");
}

/**
 * The reason recorded for a refusal; `"procedure"` for one made elsewhere (e.g. `auth.rotate`
 * inside the procedure). Module-internal.
 *
 * @example
 * ```ts
 * reasonOf(refused("TOKEN_EXPIRED", "expired")); // "expired"
 * ```
 */
export function reasonOf(error: JwtError): string {
  return REASONS.get(error) ?? "procedure";
}
