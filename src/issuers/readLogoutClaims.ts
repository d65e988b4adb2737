import { isAudienceOk, isTimestamp } from "../tokens/checkRegisteredClaims.js";
import { isJsonObject } from "../tokens/json.js";
import type { TokenClaims } from "../tokens/JwtToken.js";
import { parsePayload } from "../tokens/parsePayload.js";
import type { ClaimProblem } from "../tokens/tokenProblem.js";
import { isAcceptedHeader } from "./isAcceptedHeader.js";
import { IAT_ALLOWANCE } from "../tokens/checkRegisteredClaims.js";

/** What a logout token of one provider must be addressed by and to. */
export interface LogoutTokenProfile {
  /** The provider's `iss`, exactly. */
  readonly issuer: string;
  /** Our client id at the provider: the token's `aud` must be it, or an array containing it. */
  readonly clientId: string;
  /** Seconds of clock skew allowed on `iat`, `exp` and `nbf`. */
  readonly clockTolerance: number;
}

/** The member of `events` that makes a JWT a logout token (Back-Channel Logout 1.0 section 2.4). */
export const BACKCHANNEL_LOGOUT_EVENT = "http://schemas.openid.net/event/backchannel-logout";
/**
 * The oldest a logout token may be (seconds since its `iat`, plus the clock tolerance). Providers
 * send it at once (oidc-provider gives it two minutes); an older one is a replay or stuck in a queue.
 */
export const LOGOUT_TOKEN_MAX_AGE = 300;
// Section 2.4 (explicit typing, RFC 8725 3.11), compared case-insensitively; absent is allowed.
const LOGOUT_TOKEN_TYPES = new Set(["logout+jwt", "application/logout+jwt"]);

/**
 * Checks the signature-verified header and payload of an OpenID Connect Back-Channel Logout token
 * (section 2.6) as hostile data: header parameters and `typ`; `iss`; `aud` naming our client id;
 * `iat` at most {@link LOGOUT_TOKEN_MAX_AGE} seconds old and not in the future; `exp` present
 * (REQUIRED by section 2.4) and in the future; `nbf` (when present) by the clock; a non-empty `jti`; an `events` object with the back-channel-logout
 * member (itself an object); no `nonce` (so an ID token can never pass for one); `sid` and/or
 * `sub`, each a non-empty string. Returns the frozen claims, or the first problem.
 *
 * @example
 * ```ts
 * readLogoutClaims(header, payload, { issuer, clientId: "my-app", clockTolerance: 0 }, nowSeconds);
 * ```
 */
export function readLogoutClaims(header: object, payloadBytes: Uint8Array, profile: LogoutTokenProfile, nowSeconds: number): TokenClaims | ClaimProblem {
  if (!isAcceptedHeader(header, LOGOUT_TOKEN_TYPES)) return "claims";
  const claims = parsePayload(payloadBytes);
  if (claims === undefined) return "claims";
  const { iss, aud, iat, exp, nbf, jti, events, sid, sub } = claims;
  const tolerance = profile.clockTolerance;
  if (iss !== profile.issuer) return "issuer";
  if (!isAudienceOk(aud, profile.clientId)) return "audience";
  if (!isTimestamp(iat) || iat > nowSeconds + tolerance + IAT_ALLOWANCE) return "claims";
  // Section 2.4 lists exp as REQUIRED (errata set 1, 2023): a token without one is malformed,
  // however fresh its iat. The iat cap below still bounds a provider that sets a far-off exp.
  if (!isTimestamp(exp)) return "claims";
  if (nbf !== undefined && (!isTimestamp(nbf) || nbf > nowSeconds + tolerance)) return "claims";
  if (typeof jti !== "string" || jti === "") return "claims";
  if (!isJsonObject(events) || !Object.hasOwn(events, BACKCHANNEL_LOGOUT_EVENT) || !isJsonObject(events[BACKCHANNEL_LOGOUT_EVENT])) return "claims";
  if (Object.hasOwn(claims, "nonce")) return "claims";
  if (sid !== undefined && (typeof sid !== "string" || sid === "")) return "claims";
  if (sub !== undefined && (typeof sub !== "string" || sub === "")) return "claims";
  if (sid === undefined && sub === undefined) return "claims";
  if (iat + LOGOUT_TOKEN_MAX_AGE + tolerance < nowSeconds || exp + tolerance <= nowSeconds) return "expired";
  return claims as TokenClaims;
}
