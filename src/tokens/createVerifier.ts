import { JwtError } from "../errors.js";
import type { VerifiedJws } from "./createSignatureStep.js";
import { isCompactJws } from "./isCompactJws.js";
import { JwtToken, type TokenClaims, type TokenType } from "./JwtToken.js";
import { claimRefusal, tokenRefusal, type ClaimProblem } from "./tokenProblem.js";
import { EXPIRED, TokenCache } from "./TokenCache.js";
import { metricHooks } from "../telemetry/metricHooks.js";
import type { Verifier } from "./Verifier.js";

/** What every verifier is configured with besides its keys (an `AuthManager`'s resolved options are one). */
export interface VerifyPolicy {
  /** Milliseconds since the epoch. */
  readonly clock: () => number;
  /** Longer tokens are refused unread. */
  readonly maxTokenLength: number;
  /** Seconds of skew allowed on `exp` (a cached token is served as long too), `nbf` and `iat`. */
  readonly clockTolerance: number;
  /** How many verified tokens to remember; 0: no cache. */
  readonly cacheSize: number;
}

/** How one kind of token is checked between the pipeline's gate and its cache: our own, or an identity provider's. */
export interface TokenProfile<P extends VerifyPolicy, V extends VerifiedJws> {
  /**
   * The signature step (`createSignatureStep`, or a key set's choice of one): the verified JWS, or
   * `undefined` for a refused signature. A `JwtError` it throws or rejects with is the answer (a
   * key set that cannot be had: `KEYS_UNAVAILABLE`; a header no key is chosen by); anything else
   * is `TOKEN_INVALID`.
   */
  readonly signature: (signed: string) => V | undefined | Promise<V | undefined>;
  /** The claim check of the verified header and payload under `policy` (`readClaims`, `readAccessClaims`). */
  readonly claims: (header: object, payload: Uint8Array, policy: P, nowSeconds: number) => TokenClaims | ClaimProblem;
  /** The type of every token of this kind (an access token is `"auth"`); by default its `type` claim. */
  readonly tokenType?: TokenType | undefined;
  /** Told of each token just verified and what verified it (before the type asked for is checked). */
  readonly onVerified?: ((token: JwtToken, jws: V) => void) | undefined;
  /** Whether a cached token may still be answered from the cache; one that may not is dropped and verified again. */
  readonly isCurrent?: ((token: JwtToken, nowMs: number) => boolean) | undefined;
}

/**
 * The one verification pipeline, for our own tokens and an identity provider's alike: the length
 * gate; the verified-token cache (a hit answered without a promise: the token, or a refusal when
 * it has expired since or is of the wrong type); the shape gate (`isCompactJws`); the profile's
 * signature step; then its strict claim check, judged at arrival, or at the end of a signature
 * step that had to wait (a key set fetch may take up to its timeout). A token verified without
 * waiting (node:crypto's synchronous step) is answered without a promise too. Every failure is a
 * `JwtError` with a fixed message; nothing from jose, node or the token escapes. Its `cached`
 * answers from the cache alone.
 *
 * @example
 * ```ts
 * const verify = createVerifier(options, { signature: createSignatureStep(ring.alg, ring), claims: readClaims });
 * const token = await verify(signed, "auth");
 * ```
 */
export function createVerifier<P extends VerifyPolicy, V extends VerifiedJws>(policy: P, profile: TokenProfile<P, V>): Verifier {
  const { clock, maxTokenLength } = policy;
  // The cache serves an entry until exp; the tolerance extends that exactly as the claim check does.
  const toleranceMs = policy.clockTolerance * 1000;
  const { signature, claims: readClaims, tokenType, onVerified, isCurrent } = profile;
  const cache = policy.cacheSize > 0 ? new TokenCache(policy.cacheSize) : undefined;

  const accept = (signed: string, jws: V | undefined, nowMs: number, type: TokenType | undefined): JwtToken => {
    if (jws === undefined) throw tokenRefusal("TOKEN_INVALID", "signature");
    const claims = readClaims(jws.protectedHeader, jws.payload, policy, Math.floor(nowMs / 1000));
    if (typeof claims === "string") throw claimRefusal(claims);
    const build = (kept: string) => new JwtToken(claims, kept, tokenType);
    const token = cache?.offer(signed, build) ?? build(signed);
    onVerified?.(token, jws);
    if (type !== undefined && token.tokenType !== type) throw tokenRefusal("TOKEN_WRONG_TYPE", "type");
    return token;
  };
  // Whatever the signature step fails with (jose's or node's own text) is never passed on.
  const refusal = (error: unknown) => Promise.reject(error instanceof JwtError ? error : tokenRefusal("TOKEN_INVALID", "signature"));

  const verifyFresh = (signed: string, nowMs: number, type: TokenType | undefined): JwtToken | Promise<JwtToken> => {
    if (!isCompactJws(signed, maxTokenLength)) return Promise.reject(tokenRefusal("TOKEN_INVALID", "format"));
    let jws: V | undefined | Promise<V | undefined>;
    try {
      jws = signature(signed);
    } catch (error) {
      return refusal(error);
    }
    if (jws instanceof Promise) return jws.then((result) => accept(signed, result, clock(), type), refusal);
    // Verified without waiting: the token itself, as a cache hit is (a promise would cost the
    // caller's guard several more, and as many trips through the microtask queue).
    try {
      return accept(signed, jws, nowMs, type);
    } catch (error) {
      return Promise.reject(error);
    }
  };

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
  // Not async on purpose: a cache hit, or a token verified synchronously, is answered without a promise.
  // Each verification counts one cache lookup, hit or miss; a peek (`cached`, which several
  // issuers' sources ask before their own verify) counts only its hits, or a miss would count twice.
  const verify = (signed: string, type?: TokenType) => {
    if (!fits(signed)) return Promise.reject(tokenRefusal("TOKEN_INVALID", "format"));
    const nowMs = clock();
    if (cache === undefined) return verifyFresh(signed, nowMs, type);
    const answered = answer(cache, signed, nowMs, type);
    metricHooks.cacheLookup(answered !== undefined);
    return answered ?? verifyFresh(signed, nowMs, type);
  };
  const peek = (entries: TokenCache, signed: string, type: TokenType | undefined) => {
    const answered = fits(signed) ? answer(entries, signed, clock(), type) : undefined;
    if (answered !== undefined) metricHooks.cacheLookup(true);
    return answered;
  };
  const cached = cache === undefined ? undefined : (signed: string, type?: TokenType) => peek(cache, signed, type);
  return Object.assign(verify, { cached });
}
