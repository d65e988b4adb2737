import type { JwtError } from "../errors.js";
import type { StepUpChallenge } from "../wire/StepUpChallenge.js";
import { refused } from "./refused.js";

// Kept beside the error, never on it, like the reasons in refused.ts.
const CHALLENGES = new WeakMap<JwtError, StepUpChallenge>();

/**
 * A refusal (`refused`) that carries the step-up challenge the caller must answer. Module-internal.
 *
 * @example
 * ```ts
 * throw stepUpRefusal("STEP_UP_REQUIRED", "acr", { acrValues: "urn:mfa" });
 * ```
 */
export function stepUpRefusal(code: "STEP_UP_REQUIRED" | "TOKEN_NOT_FRESH", reason: string, challenge: StepUpChallenge): JwtError {
  const error = refused(code, reason);
  CHALLENGES.set(error, challenge);
  return error;
}

/**
 * The challenge a refusal carries, or `undefined`. Module-internal.
 *
 * @example
 * ```ts
 * challengeOf(stepUpRefusal("TOKEN_NOT_FRESH", "auth_time", { maxAge: 300 })); // { maxAge: 300 }
 * ```
 */
export function challengeOf(error: unknown): StepUpChallenge | undefined {
  return typeof error === "object" && error !== null ? CHALLENGES.get(error as JwtError) : undefined;
}
