import type { JwtErrorCode } from "../errors.js";
import { checkRegisteredClaims, type ClaimPolicy } from "./checkRegisteredClaims.js";
import type { TokenClaims } from "./JwtToken.js";
import { copyJson, isJsonObject, NOT_JSON } from "./json.js";

// Header parameters we accept. Anything else (jku, jwk, x5u, x5c, crit, b64, ...) is refused:
// we never fetch or trust keys named by a token.
const HEADER_PARAMS = new Set(["alg", "typ", "kid"]);

// Invalid UTF-8 is refused, not replaced, and a byte-order mark is kept (so JSON.parse refuses
// it): a payload reads one way only.
const UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * Parses signature-verified payload bytes as hostile data: strict UTF-8, then JSON, then a
 * frozen, prototype-free copy (`copyJson`) that must be an object. Undefined when it is not.
 *
 * @example
 * ```ts
 * const payload = parsePayload(verified.payload);
 * ```
 */
export function parsePayload(payloadBytes: Uint8Array): Readonly<Record<string, unknown>> | undefined {
  let payload: unknown;
  try {
    payload = JSON.parse(UTF8.decode(payloadBytes));
  } catch {
    return undefined;
  }
  // Read from the prototype-free copy: an `aud` or `nbf` on Object.prototype is no claim.
  const claims = copyJson(payload);
  return claims === NOT_JSON || !isJsonObject(claims) ? undefined : (claims as Readonly<Record<string, unknown>>);
}

/**
 * Checks a signature-verified header and payload (the verified JSON header and payload bytes)
 * as hostile data and returns a frozen, prototype-free copy of the claims, or the code of the
 * first problem. This is the only claim check of our own tokens: the signature step verifies the
 * signature, we judge the claims. Only an `exp` in the past yields `TOKEN_EXPIRED`; every other
 * problem is `TOKEN_INVALID`.
 */
export function readClaims(header: object, payloadBytes: Uint8Array, policy: ClaimPolicy, nowSeconds: number): TokenClaims | JwtErrorCode {
  for (const param of Object.keys(header)) if (!HEADER_PARAMS.has(param)) return "TOKEN_INVALID";
  if (!Object.hasOwn(header, "typ") || (header as { typ?: unknown }).typ !== "JWT") return "TOKEN_INVALID";
  const claims = parsePayload(payloadBytes);
  if (claims === undefined) return "TOKEN_INVALID";
  const { sub, type, scope } = claims;
  if (typeof sub !== "string" || sub === "") return "TOKEN_INVALID";
  if (type !== "auth" && type !== "refresh") return "TOKEN_INVALID";
  if (type === "refresh" && scope !== undefined) return "TOKEN_INVALID";
  return checkRegisteredClaims(claims, policy, nowSeconds) ?? (claims as TokenClaims);
}
