import { stepUpChallenge, type StepUpChallenge } from "../wire/StepUpChallenge.js";
import type { JwtToken } from "../tokens/JwtToken.js";
import { isFresh } from "./isFresh.js";

/** What a procedure requires of the login behind a token: `requireToken({ acr, amr, maxAuthAge })`. */
export interface StepUpRules {
  /** The token's `acr` must be one of these. */
  readonly acr?: readonly string[] | undefined;
  /** The token's `amr` must contain one of these. */
  readonly amr?: readonly string[] | undefined;
  /** Seconds since the login (`auth_time`), at most. */
  readonly maxAuthAge?: number | undefined;
}

/** Why a token's login is not enough, and what the caller must bring (never a claim value). */
export interface StepUpFailure {
  /**
   * `STEP_UP_REQUIRED` when the rules name `acr` or `amr`; `TOKEN_NOT_FRESH` for `maxAuthAge`
   * alone (its code since before step-up existed: clients act on it as "log in again").
   */
  readonly code: "STEP_UP_REQUIRED" | "TOKEN_NOT_FRESH";
  /** The first rule that failed: `"acr"`, `"amr"` or `"auth_time"`. */
  readonly reason: "acr" | "amr" | "auth_time";
  /** Every requirement of the rules, so one re-authentication satisfies them all. */
  readonly challenge: StepUpChallenge;
}

/**
 * Checks the login behind a token against step-up rules (RFC 9470): any listed `acr` value fits
 * the token's `acr`, any listed `amr` value found in its `amr` fits, and its `auth_time` is at
 * most `maxAuthAge` seconds before `nowSeconds`. Returns the first failure, or `undefined`.
 *
 * @example
 * ```ts
 * findStepUpFailure({ acr: ["urn:mfa"] }, token, nowSeconds);
 * // { code: "STEP_UP_REQUIRED", reason: "acr", challenge: { acrValues: "urn:mfa" } }
 * ```
 */
export function findStepUpFailure(rules: StepUpRules, token: JwtToken, nowSeconds: number): StepUpFailure | undefined {
  const { acr, amr, maxAuthAge } = rules;
  const reason =
    acr !== undefined && !acr.includes(claimOf(token, "acr") as string)
      ? "acr"
      : amr !== undefined && !amrFits(amr, claimOf(token, "amr"))
        ? "amr"
        : maxAuthAge !== undefined && !isFresh(token, maxAuthAge, nowSeconds)
          ? "auth_time"
          : undefined;
  if (reason === undefined) return undefined;
  const code = acr === undefined && amr === undefined ? "TOKEN_NOT_FRESH" : "STEP_UP_REQUIRED";
  return { code, reason, challenge: stepUpChallenge(acr?.join(" "), amr, maxAuthAge) };
}

// Own claims only: an `acr` on a polluted Object.prototype is no login.
function claimOf(token: JwtToken, name: string): unknown {
  const claims = token.claims as Readonly<Record<string, unknown>>;
  return Object.hasOwn(claims, name) ? claims[name] : undefined;
}

function amrFits(accepted: readonly string[], amr: unknown): boolean {
  return Array.isArray(amr) && amr.some((method) => typeof method === "string" && accepted.includes(method));
}
