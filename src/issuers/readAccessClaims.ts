import { matchValue } from "../policy/matchClaims.js";
import { checkRegisteredClaims, type ClaimPolicy } from "../tokens/checkRegisteredClaims.js";
import type { JsonObject } from "../tokens/json.js";
import type { TokenClaims } from "../tokens/JwtToken.js";
import { parsePayload } from "../tokens/parsePayload.js";
import { isAcceptedHeader } from "./isAcceptedHeader.js";
import type { ClaimProblem } from "../tokens/tokenProblem.js";
import type { RemoteTokenProfile } from "./remoteIssuerOptions.js";

/**
 * What an access token from one identity provider must satisfy besides its signature: the
 * registered claims every verifier checks (`ClaimPolicy`; `audience` undefined when the provider
 * sets none, as Cognito), plus the provider's quirks.
 */
export interface AccessTokenProfile extends ClaimPolicy {
  /** When set, the token's `azp` must be one of these. */
  readonly authorizedParties: ReadonlySet<string> | undefined;
  /** When set, claims the token must carry (matched as `requireToken({ claims })` matches). */
  readonly requiredClaims: JsonObject | undefined;
  /** Which of the provider's tokens are bearer credentials (`RemoteIssuer`'s `tokenProfile`). */
  readonly tokenProfile: RemoteTokenProfile;
}

// RFC 9068 section 2.1, plus plain JWTs and none at all (Cognito).
const ACCESS_TOKEN_TYPES = new Set(["at+jwt", "application/at+jwt", "jwt"]);
// RFC 9068 section 2.1 only: with `tokenProfile: "at+jwt"` the header must say so.
const EXPLICIT_ACCESS_TOKEN_TYPES = new Set(["at+jwt", "application/at+jwt"]);
// Claims defined for ID tokens alone: nonce (OpenID Connect Core 1.0 section 2), at_hash (3.1.3.6,
// 3.2.2.10), c_hash (3.3.2.11), s_hash (FAPI 1.0 Advanced section 5.1). No access token profile
// has a use for them, and an ID token addressed to a client id that is also the configured
// audience would otherwise pass (RFC 9068 section 4).
const ID_TOKEN_CLAIMS = ["nonce", "at_hash", "c_hash", "s_hash"];

/**
 * Checks the signature-verified header and payload of an RFC 9068 access token as hostile data:
 * `typ`, `sub`, `azp` and the required claims here, then `iss`, `aud`, `iat`, `exp`, `nbf` and
 * `jti` as every verifier does (`checkRegisteredClaims`). Returns frozen claims, or the code of
 * the first problem (`expired` only for a past `exp`). A `type` claim other than `"auth"`
 * is refused: a trpc-jwt refresh token is never an access token. So is any `events` claim: that
 * makes a Security Event Token, such as a back-channel logout token, never an access token. So is
 * any claim only an ID token carries (`nonce`, `at_hash`, `c_hash`, `s_hash`) unless the profile
 * is `"id"`; with `"at+jwt"`, a `typ` of `at+jwt` (or `application/at+jwt`) is required.
 */
export function readAccessClaims(header: object, payloadBytes: Uint8Array, profile: AccessTokenProfile, nowSeconds: number): TokenClaims | ClaimProblem {
  const { authorizedParties, requiredClaims, tokenProfile } = profile;
  // With "at+jwt", explicit typing (RFC 8725 section 3.11): the one check an ID token cannot pass,
  // whatever its claims, since no provider types an ID token at+jwt.
  const explicit = tokenProfile === "at+jwt";
  if (!isAcceptedHeader(header, explicit ? EXPLICIT_ACCESS_TOKEN_TYPES : ACCESS_TOKEN_TYPES, explicit)) return "claims";
  const claims = parsePayload(payloadBytes);
  if (claims === undefined) return "claims";
  const { sub, azp, type } = claims;
  if (typeof sub !== "string" || sub === "") return "claims";
  if (type !== undefined && type !== "auth") return "claims";
  // `events` is what makes a JWT a Security Event Token (RFC 8417 section 4.3): a back-channel
  // logout token (whose `typ` may be absent, and whose `aud` is the client id, which some providers
  // also put in access tokens), RISC or CAEP. No access token profile defines it, and an event is
  // never a grant of access: any `events` at all is refused, not only the logout member, so a SET
  // of a kind we do not know cannot pass either (Back-Channel Logout 1.0, security considerations).
  if (Object.hasOwn(claims, "events")) return "claims";
  // An ID token posing as an access token (RFC 9068 section 4): same keys, same iss, and an aud
  // that passes whenever the API's audience is the client id. Its ID-token claims give it away;
  // one without them (a refresh grant's, with no nonce asked) does not: see tokenProfile "at+jwt".
  if (tokenProfile !== "id" && ID_TOKEN_CLAIMS.some((claim) => Object.hasOwn(claims, claim))) return "claims";
  if (authorizedParties !== undefined && !(typeof azp === "string" && authorizedParties.has(azp))) return "claims";
  if (requiredClaims !== undefined && !matchValue(requiredClaims, claims)) return "claims";
  return checkRegisteredClaims(claims, profile, nowSeconds) ?? (claims as TokenClaims);
}
