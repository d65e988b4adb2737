import { compactVerify } from "jose";
import { JwtError } from "../errors.js";
import { isCompactJws } from "../tokens/isCompactJws.js";
import { JwtToken } from "../tokens/JwtToken.js";
import { EXPIRED, TokenCache } from "../tokens/TokenCache.js";
import type { Verifier } from "../tokens/verifyToken.js";
import { readAccessClaims } from "./readAccessClaims.js";
import type { ResolvedRemoteOptions } from "./remoteIssuerOptions.js";
import { RemoteKeySet } from "./RemoteKeySet.js";

/**
 * The verification path of a `RemoteIssuer`: length and shape gate, the verified-token cache,
 * jose's signature check with the pinned algorithms and a key from the provider's key set, then
 * the access-token claim check. Every failure is a `JwtError` with a fixed message: a missing
 * key set is `KEYS_UNAVAILABLE`, anything else jose or the claims refuse is `TOKEN_INVALID` or
 * `TOKEN_EXPIRED`.
 */
export function createRemoteVerifier(options: ResolvedRemoteOptions): Verifier {
  const { profile, maxTokenLength } = options;
  const { clock } = options.timing;
  const keys = new RemoteKeySet(options.jwksUri, options.timing);
  const cache = options.cacheSize > 0 ? new TokenCache(options.cacheSize) : undefined;
  const joseOptions = { algorithms: [...options.algorithms] };
  // Ours (no key set) passes through; jose's own text never does.
  const refuse = (error: unknown): never => {
    throw error instanceof JwtError ? error : new JwtError("TOKEN_INVALID");
  };

  async function verifyFresh(signed: string, type: string | undefined): Promise<JwtToken> {
    if (!isCompactJws(signed, maxTokenLength)) throw new JwtError("TOKEN_INVALID");
    const { protectedHeader, payload } = await compactVerify(signed, keys.resolve, joseOptions).catch(refuse);
    const claims = readAccessClaims(protectedHeader, payload, profile, Math.floor(clock() / 1000));
    if (typeof claims === "string") throw new JwtError(claims);
    const token = new JwtToken(claims, signed, "auth");
    cache?.offer(token);
    if (type === "refresh") throw new JwtError("TOKEN_WRONG_TYPE");
    return token;
  }

  // Not async on purpose: a cache hit is answered without a promise.
  return (signed, type) => {
    if (typeof signed !== "string" || signed.length > maxTokenLength) return Promise.reject(new JwtError("TOKEN_INVALID"));
    // An entry past `exp` is verified again: the clock tolerance may still admit it.
    const cached = cache?.get(signed, clock());
    if (cached === undefined || cached === EXPIRED) return verifyFresh(signed, type);
    return type === "refresh" ? Promise.reject(new JwtError("TOKEN_WRONG_TYPE")) : cached;
  };
}
