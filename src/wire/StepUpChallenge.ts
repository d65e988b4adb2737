/**
 * What a caller refused for step-up must bring to be let in (RFC 9470 section 3): the error
 * data's `acrValues`, `amrValues` and `maxAge` on every transport (with `jwtErrorFormatter`), and on
 * HTTP responses the `WWW-Authenticate` challenge's `acr_values` and `max_age`. What
 * `stepUpLink`'s `stepUp` is given.
 */
export interface StepUpChallenge {
  /** The acceptable `acr` values, space-separated, as an authorization request's `acr_values` takes them. */
  readonly acrValues?: string;
  /** The acceptable `amr` values (RFC 9470 has no parameter for them: for the app's own re-authentication). */
  readonly amrValues?: readonly string[];
  /** The most seconds since the login: an authorization request's `max_age`. */
  readonly maxAge?: number;
}

/**
 * A step-up challenge with each part only when it is set: the one way the guard's rules, the
 * client's merged needs and a refusal's error data become a challenge. Module-internal.
 *
 * @example
 * ```ts
 * stepUpChallenge("urn:mfa", undefined, 300); // { acrValues: "urn:mfa", maxAge: 300 }
 * ```
 */
export function stepUpChallenge(acrValues: string | undefined, amrValues: readonly string[] | undefined, maxAge: number | undefined): StepUpChallenge {
  return {
    ...(acrValues === undefined ? {} : { acrValues }),
    ...(amrValues === undefined ? {} : { amrValues }),
    ...(maxAge === undefined ? {} : { maxAge }),
  };
}
