import { checkRegisteredClaims, type ClaimPolicy } from "./checkRegisteredClaims.js";
import type { TokenClaims } from "./JwtToken.js";
import { parsePayload } from "./parsePayload.js";
import type { ClaimProblem } from "./tokenProblem.js";

// Header parameters we accept. Anything else (jku, jwk, x5u, x5c, crit, b64, ...) is refused:
// we never fetch or trust keys named by a token.
const HEADER_PARAMS = new Set(["alg", "typ", "kid"]);
// Frozen headers that passed: a manager's tokens share one header object (or one per kid).
const acceptedHeaders = new WeakSet<object>();

/**
 * Checks a signature-verified header and payload (the verified JSON header and payload bytes)
 * as hostile data and returns a frozen, prototype-free copy of the claims, or the first problem
 * (`issuer`, `audience`, `claims`; `expired` only for an `exp` in the past). This is the only
 * claim check of our own tokens: the signature step verifies the signature, we judge the claims.
 */
export function readClaims(header: object, payloadBytes: Uint8Array, policy: ClaimPolicy, nowSeconds: number): TokenClaims | ClaimProblem {
  if (!acceptedHeaders.has(header)) {
    for (const param of Object.keys(header)) if (!HEADER_PARAMS.has(param)) return "claims";
    if (!Object.hasOwn(header, "typ") || (header as { typ?: unknown }).typ !== "JWT") return "claims";
    // The native signature step hands back one frozen header object per header text.
    if (Object.isFrozen(header)) acceptedHeaders.add(header);
  }
  const claims = parsePayload(payloadBytes);
  if (claims === undefined) return "claims";
  const { sub, type, scope } = claims;
  if (typeof sub !== "string" || sub === "") return "claims";
  if (type !== "auth" && type !== "refresh") return "claims";
  if (type === "refresh" && scope !== undefined) return "claims";
  return checkRegisteredClaims(claims, policy, nowSeconds) ?? (claims as TokenClaims);
}
