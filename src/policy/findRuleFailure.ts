import type { JwtErrorCode } from "../errors.js";
import type { JsonObject, JsonValue } from "../tokens/json.js";
import type { JwtToken } from "../tokens/JwtToken.js";
import type { CompiledRules } from "./compileRules.js";
import { matchValue } from "./matchClaims.js";
import { matchInput } from "./matchInput.js";
import { matchScope } from "./matchScope.js";

/** Why rules refused a token: the code for the client, and which rule failed (never a value). */
export interface RuleFailure {
  readonly code: JwtErrorCode;
  /** `"issuer"`, `"claims.input.<claim>"`, `"claims.<claim>"`, `"scope"` or `"allow"`. */
  readonly reason: string;
}

/**
 * Applies the authorization rules to a verified token of the right type: the issuer pin first
 * (nothing skips it), then in Flask_PyJWT's order: override (which skips input, claims and scope), then claims (input bindings and literal
 * claims), then scope; then the `allow` predicate, which `override` never skips. Returns the
 * first failure, or `undefined` when the token is allowed. What `allow` throws is thrown.
 *
 * @example
 * ```ts
 * findRuleFailure(compileRules({ input: { sub: "username" } }), token, { username: "bob" });
 * // { code: "CLAIMS_MISMATCH", reason: "claims.input.sub" }
 * ```
 */
export function findRuleFailure(rules: CompiledRules, token: JwtToken, input: unknown): RuleFailure | undefined {
  // Before override: an override claim another issuer lets its users set must not skip the pin.
  if (rules.issuer !== undefined && token.iss !== rules.issuer) return { code: "CLAIMS_MISMATCH", reason: "issuer" };
  if (rules.override === undefined || !matchValue(rules.override, token.claims)) {
    const failure = declaredRuleFailure(rules, token, input);
    if (failure !== undefined) return failure;
  }
  if (rules.allow !== undefined) {
    const verdict: unknown = rules.allow({ token, input });
    if (verdict === true) return undefined;
    // Not a boolean (an async predicate, say): refused, and its rejection is not left unhandled.
    if (verdict instanceof Promise) verdict.catch(() => undefined);
    return { code: "CLAIMS_MISMATCH", reason: "allow" };
  }
  return undefined;
}

function declaredRuleFailure(rules: CompiledRules, token: JwtToken, input: unknown): RuleFailure | undefined {
  const { claims } = token;
  // The failing rule is looked for only once the call is refused: the allowed path stays as fast.
  if (rules.input.length > 0 && !matchInput(rules.input, claims, input)) {
    const failed = rules.input.find((binding) => !matchInput([binding], claims, input));
    return { code: "CLAIMS_MISMATCH", reason: `claims.input.${failed?.claim ?? ""}` };
  }
  if (rules.claims !== undefined && !matchValue(rules.claims, claims)) {
    return { code: "CLAIMS_MISMATCH", reason: `claims.${failedClaim(rules.claims, claims)}` };
  }
  if (rules.scope !== undefined && !matchScope(rules.scope, token.scope)) return { code: "SCOPE_MISMATCH", reason: "scope" };
  return undefined;
}

function failedClaim(required: JsonObject, claims: JsonObject): string {
  return Object.keys(required).find((key) => !matchValue(required[key] as JsonValue, Object.hasOwn(claims, key) ? claims[key] : undefined)) ?? "";
}
