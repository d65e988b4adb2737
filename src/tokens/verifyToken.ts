import { jwtVerify } from "jose";
import type { ManagerKeys } from "../config/importKeys.js";
import type { ResolvedOptions } from "../config/options.js";
import { JwtError } from "../errors.js";
import { isCompactJws } from "./isCompactJws.js";
import { JwtToken, type TokenType } from "./JwtToken.js";
import { readClaims } from "./readClaims.js";
import { EXPIRED, TokenCache } from "./TokenCache.js";

/** Verifies a compact token, optionally requiring its type. Rejects with `JwtError`. */
export type Verifier = (signed: string, type?: TokenType) => Promise<JwtToken>;

/**
 * Builds the one verification path: length and shape gate, cache, then jose with the pinned
 * algorithm, key and issuer, then the strict claim check (which also requires `sub`, `iat`, `exp`
 * and `type`). Every failure is a `JwtError` with a fixed message; nothing from jose or the token
 * escapes.
 */
export function createVerifier(options: ResolvedOptions, keys: ManagerKeys): Verifier {
  const { issuer, clock, maxTokenLength } = options;
  const customClock = clock !== Date.now;
  const cache = options.cacheSize > 0 ? new TokenCache(options.cacheSize) : undefined;
  const algorithms = [keys.alg];
  const joseOptions = { algorithms, issuer };
  // Once imported, the key is passed directly: no await on the hot path.
  let verifyKey: CryptoKey | Promise<CryptoKey> = keys.verifyKey;
  keys.verifyKey.then((key) => (verifyKey = key), () => undefined);

  const isWrongType = (token: JwtToken, type: TokenType | undefined) => type !== undefined && token.tokenType !== type;

  async function verifyFresh(signed: string, nowMs: number, type: TokenType | undefined): Promise<JwtToken> {
    if (!isCompactJws(signed, maxTokenLength)) throw new JwtError("TOKEN_INVALID");
    let header: object;
    let payload: unknown;
    try {
      const key = verifyKey instanceof Promise ? await verifyKey : verifyKey;
      // jose reads the real time itself; ours is passed only when a test clock is configured.
      const options = customClock ? { algorithms, issuer, currentDate: new Date(nowMs) } : joseOptions;
      ({ protectedHeader: header, payload } = await jwtVerify(signed, key, options));
    } catch (error) {
      // jose reports expiry only after the signature verified; its message is never passed on.
      throw new JwtError((error as { code?: unknown }).code === "ERR_JWT_EXPIRED" ? "TOKEN_EXPIRED" : "TOKEN_INVALID");
    }
    const claims = readClaims(header, payload, issuer, Math.floor(nowMs / 1000));
    if (typeof claims === "string") throw new JwtError(claims);
    const token = new JwtToken(claims, signed);
    cache?.offer(token);
    if (isWrongType(token, type)) throw new JwtError("TOKEN_WRONG_TYPE");
    return token;
  }

  // Not async on purpose: a cache hit settles without extra promise hops.
  return (signed, type) => {
    if (typeof signed !== "string" || signed.length > maxTokenLength) return Promise.reject(new JwtError("TOKEN_INVALID"));
    const nowMs = clock();
    const cached = cache?.get(signed, nowMs);
    if (cached === EXPIRED) return Promise.reject(new JwtError("TOKEN_EXPIRED"));
    if (cached !== undefined) {
      return isWrongType(cached, type) ? Promise.reject(new JwtError("TOKEN_WRONG_TYPE")) : Promise.resolve(cached);
    }
    return verifyFresh(signed, nowMs, type);
  };
}
