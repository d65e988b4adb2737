import { base64url } from "jose";
import { JwtError } from "../errors.js";
import { isCompactJws } from "../tokens/isCompactJws.js";
import { createCachingVerifier } from "../tokens/createCachingVerifier.js";
import { JwtToken, type TokenType } from "../tokens/JwtToken.js";
import { claimRefusal, tokenRefusal } from "../tokens/tokenProblem.js";
import { TokenCache } from "../tokens/TokenCache.js";
import type { VerifiedJws } from "../tokens/verifyCompactJws.js";
import type { Verifier } from "../tokens/Verifier.js";
import { readAccessClaims } from "./readAccessClaims.js";
import type { RemoteAlgorithm, ResolvedRemoteOptions } from "./remoteIssuerOptions.js";
import { RemoteKeySet, type PublishedKey } from "./RemoteKeySet.js";

const HEADER_UTF8 = new TextDecoder("utf-8", { fatal: true });

/**
 * The verification path of a `RemoteIssuer`: length and shape gate, the verified-token cache,
 * the key the unverified header's `alg` (one of the configured algorithms) and `kid` select from
 * the provider's key set, the signature check pinned to that algorithm and key, then the
 * access-token claim check. Every failure is a `JwtError` with a fixed message: a missing key set
 * is `KEYS_UNAVAILABLE`, anything else is `TOKEN_INVALID` or `TOKEN_EXPIRED`.
 */
export function createRemoteVerifier(options: ResolvedRemoteOptions): Verifier {
  const { profile, maxTokenLength, algorithms } = options;
  const { clock } = options.timing;
  const toleranceMs = profile.clockTolerance * 1000;
  const keys = new RemoteKeySet(options.keySource, options.timing);
  const cache = options.cacheSize > 0 ? new TokenCache(options.cacheSize) : undefined;
  // Which published key verified a token, and when: a cached token is answered only while that
  // key is still published and for at most cacheMaxAge, then verified again (keys reloaded).
  const verifiedBy = new WeakMap<JwtToken, { readonly key: PublishedKey; readonly at: number }>();
  const { cacheMaxAge } = options.timing;
  const isCurrent = (token: JwtToken, nowMs: number) => {
    const record = verifiedBy.get(token);
    return record !== undefined && !record.key.retired && nowMs - record.at < cacheMaxAge;
  };

  async function verifyFresh(signed: string, _arrivedMs: number, type: TokenType | undefined): Promise<JwtToken> {
    if (!isCompactJws(signed, maxTokenLength)) throw tokenRefusal("TOKEN_INVALID", "format");
    // Chosen before any key is looked up, so a forged alg never costs a fetch.
    const header = keySelector(signed, algorithms);
    if (header === undefined) throw tokenRefusal("TOKEN_INVALID", "header");
    let verified: VerifiedJws | undefined;
    let key: PublishedKey;
    try {
      const verifier = keys.verifierFor(header.alg, header.kid);
      const chosen = verifier instanceof Promise ? await verifier : verifier;
      key = chosen.key;
      verified = await chosen.verify(signed);
    } catch (error) {
      // Ours (no key set) passes through; jose's or node's own text never does.
      throw error instanceof JwtError ? error : tokenRefusal("TOKEN_INVALID", "signature");
    }
    // A key the provider dropped while this token was being checked verifies nothing.
    if (verified === undefined || key.retired) throw tokenRefusal("TOKEN_INVALID", "signature");
    // Judged now, not when it arrived: a key set fetch may have taken up to its timeout.
    const claims = readAccessClaims(verified.protectedHeader, verified.payload, profile, Math.floor(clock() / 1000));
    if (typeof claims === "string") throw claimRefusal(claims);
    const build = (kept: string) => new JwtToken(claims, kept, "auth");
    const token = cache?.offer(signed, build) ?? build(signed);
    verifiedBy.set(token, { key, at: clock() });
    if (type === "refresh") throw tokenRefusal("TOKEN_WRONG_TYPE", "type");
    return token;
  }

  return createCachingVerifier(cache, { clock, maxTokenLength, toleranceMs, isCurrent }, verifyFresh);
}

/**
 * The `alg` and `kid` of a token's header, read before its signature is checked (the signature
 * step reads the header again and pins the same `alg`): `undefined` unless `alg` is one of
 * `algorithms` and `kid`, when present, a non-empty string.
 */
function keySelector(signed: string, algorithms: readonly RemoteAlgorithm[]): { alg: RemoteAlgorithm; kid: string | undefined } | undefined {
  let header: unknown;
  try {
    header = JSON.parse(HEADER_UTF8.decode(base64url.decode(signed.slice(0, signed.indexOf(".")))));
  } catch {
    return undefined;
  }
  if (typeof header !== "object" || header === null || !Object.hasOwn(header, "alg")) return undefined;
  const { alg, kid } = header as { alg: unknown; kid?: unknown };
  const hasKid = Object.hasOwn(header, "kid");
  if (!algorithms.includes(alg as RemoteAlgorithm) || (hasKid && (typeof kid !== "string" || kid === ""))) return undefined;
  return { alg: alg as RemoteAlgorithm, kid: hasKid ? (kid as string) : undefined };
}
