import type { JwtErrorCode } from "../errors.js";
import type { JwtToken } from "../tokens/JwtToken.js";
import type { CompiledRules } from "./compileRules.js";
import { matchClaims } from "./matchClaims.js";
import { matchInput } from "./matchInput.js";
import { matchScope } from "./matchScope.js";

/**
 * Applies the authorization rules to a verified token of the right type, in Flask_PyJWT's order:
 * override (which skips the rest), then claims (input bindings and literal claims), then scope.
 * Returns the failure code, or `undefined` when the token is allowed.
 *
 * @example
 * ```ts
 * const rules = compileRules({ input: { sub: "username" }, override: { admin: true } });
 * checkRules(rules, token, { username: "alice" }); // undefined, or "CLAIMS_MISMATCH"
 * ```
 */
export function checkRules(rules: CompiledRules, token: JwtToken, input: unknown): JwtErrorCode | undefined {
  if (rules.override !== undefined && matchClaims(rules.override, token.claims)) return undefined;
  if (rules.input.length > 0 && !matchInput(rules.input, token.claims, input)) return "CLAIMS_MISMATCH";
  if (rules.claims !== undefined && !matchClaims(rules.claims, token.claims)) return "CLAIMS_MISMATCH";
  if (rules.scope !== undefined && !matchScope(rules.scope, token.scope)) return "SCOPE_MISMATCH";
  return undefined;
}
