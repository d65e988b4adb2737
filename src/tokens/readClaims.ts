import type { JwtErrorCode } from "../errors.js";
import { checkRegisteredClaims, type ClaimPolicy } from "./checkRegisteredClaims.js";
import type { TokenClaims } from "./JwtToken.js";
import { parsePayload } from "./parsePayload.js";

// Header parameters we accept. Anything else (jku, jwk, x5u, x5c, crit, b64, ...) is refused:
// we never fetch or trust keys named by a token.
const HEADER_PARAMS = new Set(["alg", "typ", "kid"]);
// Frozen headers that passed: a manager's tokens share one header object (or one per kid).
const acceptedHeaders = new WeakSet<object>();

/**
 * Checks a signature-verified header and payload (the verified JSON header and payload bytes)
 * as hostile data and returns a frozen, prototype-free copy of the claims, or the code of the
 * first problem. This is the only claim check of our own tokens: the signature step verifies the
 * signature, we judge the claims. Only an `exp` in the past yields `TOKEN_EXPIRED`; every other
 * problem is `TOKEN_INVALID`.
 */
export function readClaims(header: object, payloadBytes: Uint8Array, policy: ClaimPolicy, nowSeconds: number): TokenClaims | JwtErrorCode {
  if (!acceptedHeaders.has(header)) {
    for (const param of Object.keys(header)) if (!HEADER_PARAMS.has(param)) return "TOKEN_INVALID";
    if (!Object.hasOwn(header, "typ") || (header as { typ?: unknown }).typ !== "JWT") return "TOKEN_INVALID";
    // The native signature step hands back one frozen header object per header text.
    if (Object.isFrozen(header)) acceptedHeaders.add(header);
  }
  const claims = parsePayload(payloadBytes);
  if (claims === undefined) return "TOKEN_INVALID";
  const { sub, type, scope } = claims;
  if (typeof sub !== "string" || sub === "") return "TOKEN_INVALID";
  if (type !== "auth" && type !== "refresh") return "TOKEN_INVALID";
  if (type === "refresh" && scope !== undefined) return "TOKEN_INVALID";
  return checkRegisteredClaims(claims, policy, nowSeconds) ?? (claims as TokenClaims);
}
