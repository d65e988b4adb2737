import type { JwtErrorCode } from "../errors.js";
import type { JwtToken } from "../tokens/JwtToken.js";
import type { CompiledRules } from "./compileRules.js";
import { findRuleFailure } from "./findRuleFailure.js";

/**
 * Applies the authorization rules to a verified token of the right type, in Flask_PyJWT's order:
 * override (which skips input, claims and scope), then claims (input bindings and literal claims),
 * then scope, then the `allow` predicate (never skipped). Returns the failure code, or
 * `undefined` when the token is allowed. `findRuleFailure` also says which rule failed.
 *
 * @example
 * ```ts
 * const rules = compileRules({ input: { sub: "username" }, override: { admin: true } });
 * checkRules(rules, token, { username: "alice" }); // undefined, or "CLAIMS_MISMATCH"
 * ```
 */
export function checkRules(rules: CompiledRules, token: JwtToken, input: unknown): JwtErrorCode | undefined {
  return findRuleFailure(rules, token, input)?.code;
}
