import type { JwtErrorCode } from "../errors.js";
import { matchClaims } from "../policy/matchClaims.js";
import type { JsonObject } from "../tokens/json.js";
import type { TokenClaims } from "../tokens/JwtToken.js";
import { parsePayload } from "../tokens/parsePayload.js";

/** What an access token from one identity provider must satisfy besides its signature. */
export interface AccessTokenProfile {
  readonly issuer: string;
  /** The audience the token must name, or `false` when the provider sets none (Cognito). */
  readonly audience: string | false;
  /** Seconds of clock skew allowed on `exp` and `nbf` (and, plus 60, on a future `iat`). */
  readonly clockTolerance: number;
  /** When set, the token's `azp` must be one of these. */
  readonly authorizedParties: ReadonlySet<string> | undefined;
  /** When set, claims the token must carry (matched as `requireToken({ claims })` matches). */
  readonly requiredClaims: JsonObject | undefined;
}

// Header parameters we accept; `x5t` is a thumbprint hint some providers add (Entra ID). Anything
// else (jku, jwk, x5u, x5c, crit, b64, ...) is refused: keys come from the JWKS, never the token.
const HEADER_PARAMS = new Set(["alg", "typ", "kid", "x5t"]);
// RFC 9068 section 2.1, plus plain JWTs and none at all (Cognito), compared case-insensitively
// as media types are (RFC 7515 section 4.1.9).
const ACCESS_TOKEN_TYPES = new Set(["at+jwt", "application/at+jwt", "jwt"]);
// iat has whole-second resolution: a verifier slightly behind the provider must not refuse it.
const IAT_LEEWAY = 60;
const MAX_TIMESTAMP = 253402300799;

/**
 * Checks the signature-verified header and payload of an RFC 9068 access token as hostile data:
 * `typ`, `iss`, `aud`, `sub`, `iat`, `exp`, `nbf`, `jti`, `azp` and the required claims. Returns
 * frozen claims, or the code of the first problem (`TOKEN_EXPIRED` only for a past `exp`). A
 * `type` claim other than `"auth"` is refused: a trpc-jwt refresh token is never an access token.
 */
export function readAccessClaims(header: object, payloadBytes: Uint8Array, profile: AccessTokenProfile, nowSeconds: number): TokenClaims | JwtErrorCode {
  for (const param of Object.keys(header)) if (!HEADER_PARAMS.has(param)) return "TOKEN_INVALID";
  const typ = Object.hasOwn(header, "typ") ? (header as { typ: unknown }).typ : undefined;
  if (typ !== undefined && (typeof typ !== "string" || !ACCESS_TOKEN_TYPES.has(typ.toLowerCase()))) return "TOKEN_INVALID";
  const claims = parsePayload(payloadBytes);
  if (claims === undefined) return "TOKEN_INVALID";
  const { iss, sub, aud, iat, exp, nbf, jti, azp, type } = claims as Record<string, unknown>;
  const { clockTolerance, authorizedParties, requiredClaims } = profile;
  if (iss !== profile.issuer) return "TOKEN_INVALID";
  if (!hasAudience(aud, profile.audience)) return "TOKEN_INVALID";
  if (typeof sub !== "string" || sub === "") return "TOKEN_INVALID";
  if (!isTimestamp(iat) || !isTimestamp(exp)) return "TOKEN_INVALID";
  if (iat > nowSeconds + clockTolerance + IAT_LEEWAY) return "TOKEN_INVALID";
  if (nbf !== undefined && (!isTimestamp(nbf) || nbf > nowSeconds + clockTolerance)) return "TOKEN_INVALID";
  if (jti !== undefined && (typeof jti !== "string" || jti === "")) return "TOKEN_INVALID";
  if (type !== undefined && type !== "auth") return "TOKEN_INVALID";
  if (authorizedParties !== undefined && !(typeof azp === "string" && authorizedParties.has(azp))) return "TOKEN_INVALID";
  if (requiredClaims !== undefined && !matchClaims(requiredClaims, claims)) return "TOKEN_INVALID";
  if (exp + clockTolerance <= nowSeconds) return "TOKEN_EXPIRED";
  return claims as TokenClaims;
}

// RFC 7519 section 4.1.3: a string, or an array of strings of which one must be ours. Without an
// expected audience a token that names one is for someone else.
function hasAudience(aud: unknown, audience: string | false): boolean {
  if (audience === false) return aud === undefined;
  if (typeof aud === "string") return aud === audience;
  return Array.isArray(aud) && aud.every((item) => typeof item === "string") && aud.includes(audience);
}

function isTimestamp(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0 && value <= MAX_TIMESTAMP;
}
