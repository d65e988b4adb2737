import { JwtConfigError } from "../errors.js";
import { CHALLENGE_VALUE } from "../wire/challengeValue.js";
import { nonEmptyString, objectOf, optionNames, stringList } from "../options/validate.js";
import type { SessionDevice } from "../stores/SessionInventory.js";
import type { SessionClaims } from "./sessionTypes.js";

/**
 * How the user logged in, for `auth.login(sub, scope, claims, options)`: issued as the reserved
 * claims `acr` and `amr` in every token of the session (rotations keep them), so that
 * `requireToken({ acr, amr })` can ask for a stronger login (step-up, docs/step-up.md); and the
 * device it came from (`userAgent`, `ip`), which `auth.listSessions` shows (docs/sessions.md).
 *
 * @example
 * ```ts
 * await auth.login(user.id, user.scope, undefined, { acr: "urn:mfa", amr: ["pwd", "otp"] });
 * ```
 */
export interface LoginOptions extends SessionDevice {
  /** The authentication context class of this login (OpenID Connect `acr`), e.g. `"urn:mfa"`. */
  readonly acr?: string | undefined;
  /** The authentication methods used (RFC 8176 `amr` values), e.g. `["pwd", "otp"]`. */
  readonly amr?: readonly string[] | undefined;
}

/** The login claims a session's tokens carry. Module-internal. */
export type LoginClaims = Pick<SessionClaims, "acr" | "amr">;

const NAMES = optionNames<LoginOptions>({ acr: true, amr: true, userAgent: true, ip: true });

/**
 * Checks `login`'s options: `JwtConfigError` naming the bad one. Returns the claims to issue.
 *
 * @example
 * ```ts
 * loginClaims({ acr: "urn:mfa" }); // { acr: "urn:mfa" }
 * ```
 */
export function loginClaims(options: LoginOptions): LoginClaims {
  objectOf(options, "options", { names: NAMES, kind: "a login option" });
  const { acr } = options;
  if (acr !== undefined && !CHALLENGE_VALUE.test(nonEmptyString(acr, "acr"))) throw new JwtConfigError("acr", "must be printable, without spaces or quotes");
  const amr = stringList(options.amr, "amr", CHALLENGE_VALUE, "must be a non-empty list of method names (printable, no spaces or quotes)");
  return { ...(acr === undefined ? {} : { acr }), ...(amr === undefined ? {} : { amr }) };
}
