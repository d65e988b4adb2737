import { jwtVerify } from "jose";
import type { ManagerKeys } from "../config/importKeys.js";
import type { ResolvedOptions } from "../config/options.js";
import { JwtError } from "../errors.js";
import { isCompactJws } from "./isCompactJws.js";
import { JwtToken, type TokenType } from "./JwtToken.js";
import { readClaims } from "./readClaims.js";
import { EXPIRED, TokenCache } from "./TokenCache.js";

/** Verifies a compact token, optionally requiring its type. Throws `JwtError`. */
export type Verifier = (signed: string, type?: TokenType) => Promise<JwtToken>;

const REQUIRED_CLAIMS = ["iss", "sub", "iat", "exp", "type"];

/**
 * Builds the one verification path: length and shape gate, cache, then jose with the pinned
 * algorithm and key, then the strict claim check. Every failure is a `JwtError` with a fixed
 * message; nothing from jose or the token escapes.
 */
export function createVerifier(options: ResolvedOptions, keys: ManagerKeys): Verifier {
  const { issuer, clock, maxTokenLength } = options;
  const cache = options.cacheSize > 0 ? new TokenCache(options.cacheSize) : undefined;
  const algorithms = [keys.alg];

  async function verifyFresh(signed: string, nowMs: number): Promise<JwtToken> {
    if (!isCompactJws(signed, maxTokenLength)) throw new JwtError("TOKEN_INVALID");
    let header: object;
    let payload: unknown;
    try {
      ({ protectedHeader: header, payload } = await jwtVerify(signed, await keys.verifyKey, {
        algorithms,
        issuer,
        requiredClaims: REQUIRED_CLAIMS,
        currentDate: new Date(nowMs),
      }));
    } catch (error) {
      // jose reports expiry only after the signature verified; its message is never passed on.
      throw new JwtError((error as { code?: unknown }).code === "ERR_JWT_EXPIRED" ? "TOKEN_EXPIRED" : "TOKEN_INVALID");
    }
    const claims = readClaims(header, payload, issuer, Math.floor(nowMs / 1000));
    if (typeof claims === "string") throw new JwtError(claims);
    return new JwtToken(claims, signed);
  }

  return async function verify(signed, type) {
    if (typeof signed !== "string" || signed.length > maxTokenLength) throw new JwtError("TOKEN_INVALID");
    const nowMs = clock();
    const cached = cache?.get(signed, nowMs);
    if (cached === EXPIRED) throw new JwtError("TOKEN_EXPIRED");
    let token = cached;
    if (token === undefined) {
      token = await verifyFresh(signed, nowMs);
      cache?.set(token);
    }
    if (type !== undefined && token.tokenType !== type) throw new JwtError("TOKEN_WRONG_TYPE");
    return token;
  };
}
