import type { JwtErrorCode } from "../errors.js";
import type { TokenClaims } from "./JwtToken.js";
import { copyJson, isJsonObject, NOT_JSON } from "./json.js";

// Header parameters we accept. Anything else (jku, jwk, x5u, x5c, crit, b64, ...) is refused:
// we never fetch or trust keys named by a token.
const HEADER_PARAMS = new Set(["alg", "typ", "kid"]);
// 9999-12-31T23:59:59Z: beyond this a timestamp is not a sane lifetime.
const MAX_TIMESTAMP = 253402300799;

// Invalid UTF-8 is refused, not replaced, and a byte-order mark is kept (so JSON.parse refuses
// it): a payload reads one way only.
const UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * Checks a signature-verified header and payload (jose's verified JSON header and payload bytes)
 * as hostile data and returns a frozen, prototype-free copy of the claims, or the code of the
 * first problem. This is the only claim check: jose verifies the signature, we judge the claims.
 * Only an `exp` in the past yields `TOKEN_EXPIRED`; every other problem is `TOKEN_INVALID`.
 */
export function readClaims(header: object, payloadBytes: Uint8Array, issuer: string, nowSeconds: number): TokenClaims | JwtErrorCode {
  for (const param of Object.keys(header)) if (!HEADER_PARAMS.has(param)) return "TOKEN_INVALID";
  if (!Object.hasOwn(header, "typ") || (header as { typ?: unknown }).typ !== "JWT") return "TOKEN_INVALID";
  let payload: unknown;
  try {
    payload = JSON.parse(UTF8.decode(payloadBytes));
  } catch {
    return "TOKEN_INVALID";
  }
  // Read from the prototype-free copy: an `aud` or `nbf` on Object.prototype is no claim.
  const claims = copyJson(payload);
  if (claims === NOT_JSON || !isJsonObject(claims)) return "TOKEN_INVALID";
  const { iss, sub, type, iat, exp, nbf, aud, jti, scope } = claims as Record<string, unknown>;
  if (iss !== issuer) return "TOKEN_INVALID";
  if (typeof sub !== "string" || sub === "") return "TOKEN_INVALID";
  if (type !== "auth" && type !== "refresh") return "TOKEN_INVALID";
  if (!isTimestamp(iat) || !isTimestamp(exp)) return "TOKEN_INVALID";
  if (iat > nowSeconds) return "TOKEN_INVALID";
  if (nbf !== undefined && (!isTimestamp(nbf) || nbf > nowSeconds)) return "TOKEN_INVALID";
  // RFC 7519 4.1.3: no audience is configured, so a token that names one is not for us.
  if (aud !== undefined) return "TOKEN_INVALID";
  if (jti !== undefined && (typeof jti !== "string" || jti === "")) return "TOKEN_INVALID";
  if (type === "refresh" && scope !== undefined) return "TOKEN_INVALID";
  if (exp <= nowSeconds) return "TOKEN_EXPIRED";
  return claims as TokenClaims;
}

function isTimestamp(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0 && value <= MAX_TIMESTAMP;
}
