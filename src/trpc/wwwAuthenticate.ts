import type { StepUpChallenge } from "../wire/StepUpChallenge.js";

/**
 * The RFC 9470 `WWW-Authenticate` challenge of a step-up refusal: `Bearer
 * error="insufficient_user_authentication"` with `error_description`, `acr_values` (quoted,
 * space-separated) and `max_age` where the challenge has them. The acr values were checked to
 * need no escaping when the rules were compiled. Module-internal.
 *
 * @example
 * ```ts
 * wwwAuthenticate({ acrValues: "urn:mfa", maxAge: 300 });
 * // 'Bearer error="insufficient_user_authentication", error_description="A stronger or more recent login is required", acr_values="urn:mfa", max_age=300'
 * ```
 */
export function wwwAuthenticate(challenge: StepUpChallenge): string {
  const params = ['error="insufficient_user_authentication"', 'error_description="A stronger or more recent login is required"'];
  if (challenge.acrValues !== undefined) params.push(`acr_values="${challenge.acrValues}"`);
  if (challenge.maxAge !== undefined) params.push(`max_age=${challenge.maxAge}`);
  return `Bearer ${params.join(", ")}`;
}
