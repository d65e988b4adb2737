import type { JwtError } from "../errors.js";
import { refused } from "./refused.js";

/**
 * What a refused caller must bring to be let in (RFC 9470 section 3): sent as the error data's
 * `acrValues`, `amrValues` and `maxAge` on every transport, and on HTTP responses as the
 * `WWW-Authenticate` challenge's `acr_values` and `max_age`.
 */
export interface StepUpChallenge {
  /** The acceptable `acr` values, space-separated, as an authorization request's `acr_values` takes them. */
  readonly acrValues?: string;
  /** The acceptable `amr` values (RFC 9470 has no parameter for them: for the app's own re-authentication). */
  readonly amrValues?: readonly string[];
  /** The most seconds since the login: an authorization request's `max_age`. */
  readonly maxAge?: number;
}

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
