import type { JwtToken, TokenType } from "./JwtToken.js";
import { tokenRefusal } from "./tokenProblem.js";
import { EXPIRED, type TokenCache } from "./TokenCache.js";
import type { Verifier } from "./Verifier.js";

/** What the gate and the cache of a verifier need to know. */
export interface CachingOptions {
  /** Milliseconds since the epoch. */
  readonly clock: () => number;
  readonly maxTokenLength: number;
  /** The claim check's clock tolerance, in milliseconds: a cached token is served as long. */
  readonly toleranceMs: number;
  /**
   * Whether a cached token may still be answered from the cache; one that may not is dropped and
   * verified again. For a remote issuer: its key still published, its entry young enough.
   */
  readonly isCurrent?: ((token: JwtToken, nowMs: number) => boolean) | undefined;
}

/**
 * A verifier made of its fresh path and its verified-token cache (shared by `AuthManager` and
 * `RemoteIssuer`): the length gate, then a cached token answered without a promise (or refused,
 * expired since or of the wrong type), else `verifyFresh`. Its `cached` answers from the cache
 * alone. Module-internal.
 *
 * @example
 * ```ts
 * const verify = createCachingVerifier(new TokenCache(10_000), { clock: Date.now, maxTokenLength: 8192, toleranceMs: 0 }, verifyFresh);
 * ```
 */
export function createCachingVerifier(
  cache: TokenCache | undefined,
  { clock, maxTokenLength, toleranceMs, isCurrent }: CachingOptions,
  verifyFresh: (signed: string, nowMs: number, type: TokenType | undefined) => Promise<JwtToken>,
): Verifier {
  // The cache serves an entry until exp; the tolerance extends that exactly as the claim check does.
  const answer = (entries: TokenCache, signed: string, nowMs: number, type: TokenType | undefined) => {
    const found = entries.get(signed, nowMs - toleranceMs);
    if (found === undefined) return undefined;
    if (found === EXPIRED) return Promise.reject(tokenRefusal("TOKEN_EXPIRED", "expired"));
    if (isCurrent !== undefined && !isCurrent(found, nowMs)) {
      entries.delete(signed);
      return undefined;
    }
    return type !== undefined && found.tokenType !== type ? Promise.reject(tokenRefusal("TOKEN_WRONG_TYPE", "type")) : found;
  };
  const fits = (signed: unknown): signed is string => typeof signed === "string" && signed.length <= maxTokenLength;
  // Not async on purpose: a cache hit is answered without a promise.
  const verify = (signed: string, type?: TokenType) => {
    if (!fits(signed)) return Promise.reject(tokenRefusal("TOKEN_INVALID", "format"));
    const nowMs = clock();
    return (cache === undefined ? undefined : answer(cache, signed, nowMs, type)) ?? verifyFresh(signed, nowMs, type);
  };
  const cached = cache === undefined ? undefined : (signed: string, type?: TokenType) => (fits(signed) ? answer(cache, signed, clock(), type) : undefined);
  return Object.assign(verify, { cached });
}
