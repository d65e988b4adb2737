import { compactVerify } from "jose";
import type { ManagerKeys } from "../config/importKeys.js";
import type { ResolvedOptions } from "../config/options.js";
import { JwtError } from "../errors.js";
import { isCompactJws } from "./isCompactJws.js";
import { JwtToken, type TokenType } from "./JwtToken.js";
import { readClaims } from "./readClaims.js";
import { EXPIRED, TokenCache } from "./TokenCache.js";

/**
 * Verifies a compact token, optionally requiring its type. A cache hit returns the token itself,
 * so a caller on the hot path need not wait a tick; otherwise a promise. Refusals are always a
 * promise rejected with `JwtError`.
 */
export type Verifier = (signed: string, type?: TokenType) => JwtToken | Promise<JwtToken>;

/**
 * Builds the one verification path: length and shape gate, cache, then jose's signature check
 * with the pinned algorithm and key, then our strict claim check of jose's verified header and
 * payload (issuer, lifetime, `sub`, `type`, ...). Claims are validated once, by `readClaims`, not
 * also by jose's looser JWT layer. Every failure is a `JwtError` with a fixed message; nothing
 * from jose or the token escapes.
 */
export function createVerifier(options: ResolvedOptions, keys: ManagerKeys): Verifier {
  const { issuer, clock, maxTokenLength } = options;
  const cache = options.cacheSize > 0 ? new TokenCache(options.cacheSize) : undefined;
  const joseOptions = { algorithms: [keys.alg] };
  // Once imported, the key is passed directly: no extra promise hop on the hot path.
  let verifyKey: CryptoKey | Promise<CryptoKey> = keys.verifyKey;
  keys.verifyKey.then((key) => (verifyKey = key), () => undefined);

  const isWrongType = (token: JwtToken, type: TokenType | undefined) => type !== undefined && token.tokenType !== type;
  // Whatever jose rejects with (bad signature, wrong algorithm, malformed JSON) is never passed on.
  const refuse = (): never => {
    throw new JwtError("TOKEN_INVALID");
  };

  function verifyFresh(signed: string, nowMs: number, type: TokenType | undefined): Promise<JwtToken> {
    if (!isCompactJws(signed, maxTokenLength)) return Promise.reject(new JwtError("TOKEN_INVALID"));
    let verified: ReturnType<typeof compactVerify>;
    try {
      verified = verifyKey instanceof Promise ? verifyKey.then((key) => compactVerify(signed, key, joseOptions)) : compactVerify(signed, verifyKey, joseOptions);
    } catch {
      return Promise.reject(new JwtError("TOKEN_INVALID"));
    }
    return verified.then(({ protectedHeader, payload }) => {
      const claims = readClaims(protectedHeader, payload, issuer, Math.floor(nowMs / 1000));
      if (typeof claims === "string") throw new JwtError(claims);
      const token = new JwtToken(claims, signed);
      cache?.offer(token);
      if (isWrongType(token, type)) throw new JwtError("TOKEN_WRONG_TYPE");
      return token;
    }, refuse);
  }

  // Not async on purpose: a cache hit is answered without a promise.
  return (signed, type) => {
    if (typeof signed !== "string" || signed.length > maxTokenLength) return Promise.reject(new JwtError("TOKEN_INVALID"));
    const nowMs = clock();
    const cached = cache?.get(signed, nowMs);
    if (cached === EXPIRED) return Promise.reject(new JwtError("TOKEN_EXPIRED"));
    if (cached !== undefined) {
      return isWrongType(cached, type) ? Promise.reject(new JwtError("TOKEN_WRONG_TYPE")) : cached;
    }
    return verifyFresh(signed, nowMs, type);
  };
}
