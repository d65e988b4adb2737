import type { ResolvedOptions } from "../config/options.js";
import type { KeyRing } from "../keys/KeyRing.js";
import type { ClaimPolicy } from "./checkRegisteredClaims.js";
import { createCachingVerifier } from "./createCachingVerifier.js";
import { createSignatureCheck } from "./createSignatureCheck.js";
import { isCompactJws } from "./isCompactJws.js";
import { JwtToken, type TokenType } from "./JwtToken.js";
import { readClaims } from "./readClaims.js";
import { claimRefusal, tokenRefusal } from "./tokenProblem.js";
import { TokenCache } from "./TokenCache.js";
import type { Verifier } from "./Verifier.js";

/**
 * Builds the one verification path, in three separate steps: the length and shape gate (and the
 * cache), the signature check (`createSignatureCheck`: the ring's key for the token's `kid`, the
 * algorithm pinned), then our strict claim check of the verified header and payload
 * (`readClaims`: issuer, audience, lifetime, `sub`, `type`, ...). Every failure is a `JwtError`
 * with a fixed message; nothing from jose or the token escapes.
 */
export function createVerifier(options: ResolvedOptions, ring: KeyRing): Verifier {
  const { clock, maxTokenLength } = options;
  const policy: ClaimPolicy = { issuer: options.issuer, audience: options.audience, clockTolerance: options.clockTolerance };
  const toleranceMs = options.clockTolerance * 1000;
  const cache = options.cacheSize > 0 ? new TokenCache(options.cacheSize) : undefined;
  const checkSignature = createSignatureCheck(ring);

  // Whatever the signature check rejects with (bad signature, wrong algorithm, unknown kid,
  // malformed JSON) is never passed on.
  const refuse = (): never => {
    throw tokenRefusal("TOKEN_INVALID", "signature");
  };

  function verifyFresh(signed: string, nowMs: number, type: TokenType | undefined): Promise<JwtToken> {
    if (!isCompactJws(signed, maxTokenLength)) return Promise.reject(tokenRefusal("TOKEN_INVALID", "format"));
    return checkSignature(
      signed,
      ({ protectedHeader, payload }) => {
        const claims = readClaims(protectedHeader, payload, policy, Math.floor(nowMs / 1000));
        if (typeof claims === "string") throw claimRefusal(claims);
        const build = (kept: string) => new JwtToken(claims, kept);
        const token = cache?.offer(signed, build) ?? build(signed);
        if (type !== undefined && token.tokenType !== type) throw tokenRefusal("TOKEN_WRONG_TYPE", "type");
        return token;
      },
      refuse,
    );
  }

  return createCachingVerifier(cache, { clock, maxTokenLength, toleranceMs }, verifyFresh);
}
