import { decodeSegment } from "../jws/decodeSegment.js";
import type { VerifiedJws } from "../tokens/createSignatureStep.js";
import { createVerifier, type VerifyPolicy } from "../tokens/createVerifier.js";
import type { JwtToken, TokenClaims } from "../tokens/JwtToken.js";
import { tokenRefusal, type ClaimProblem } from "../tokens/tokenProblem.js";
import type { Verifier } from "../tokens/Verifier.js";
import type { RemoteAlgorithm } from "./remoteIssuerOptions.js";
import type { KeyVerifier, PublishedKey, RemoteKeySet } from "./RemoteKeySet.js";

/** A remote token's verified JWS, with the published key that verified it. */
interface VerifiedByKey extends VerifiedJws {
  readonly key: PublishedKey;
}

/** One kind of token a provider signs: the policy its claims are checked under, and the check. */
export interface RemoteTokenKind<P extends VerifyPolicy> {
  readonly policy: P;
  /** `readAccessClaims` (access tokens) or `readLogoutClaims` (back-channel logout tokens). */
  readonly claims: (header: object, payload: Uint8Array, policy: P, nowSeconds: number) => TokenClaims | ClaimProblem;
}

/**
 * A verifier of a `RemoteIssuer`'s tokens: the shared pipeline (`createVerifier`) with the
 * provider's key set as its key resolver and the claim check of one kind of token (access
 * tokens; logout tokens: one key set, one signature path for both). The key is the one the
 * unverified header's `alg` (one of the configured algorithms: asymmetric only, never `none`
 * or HMAC) and `kid` select from the provider's key set, and its signature step is pinned to
 * that algorithm and key. A missing key set is `KEYS_UNAVAILABLE`; anything else is
 * `TOKEN_INVALID` or `TOKEN_EXPIRED`. A cached token is answered only while the key that
 * verified it is still published, and for at most `cacheMaxAge`; then it is verified again.
 *
 * @example
 * ```ts
 * const verify = createRemoteVerifier(keys, algorithms, { policy, claims: readAccessClaims });
 * ```
 */
export function createRemoteVerifier<P extends VerifyPolicy>(keys: RemoteKeySet, algorithms: readonly RemoteAlgorithm[], kind: RemoteTokenKind<P>): Verifier {
  const { clock, cacheMaxAge } = keys.timing;
  const verifiedBy = new WeakMap<JwtToken, { readonly key: PublishedKey; readonly at: number }>();
  // A key the provider dropped while this token was being checked verifies nothing.
  const checkWith = (signed: string, { verify, key }: KeyVerifier) => {
    const verified = verify(signed);
    const byKey = (jws: VerifiedJws | undefined) => (jws === undefined || key.retired ? undefined : { ...jws, key });
    return verified instanceof Promise ? verified.then(byKey) : byKey(verified);
  };
  const signature = (signed: string): VerifiedByKey | undefined | Promise<VerifiedByKey | undefined> => {
    // Chosen before any key is looked up, so a forged alg never costs a fetch.
    const header = keySelector(signed, algorithms);
    if (header === undefined) throw tokenRefusal("TOKEN_INVALID", "header");
    const verifier = keys.verifierFor(header.alg, header.kid);
    return verifier instanceof Promise ? verifier.then((resolved) => checkWith(signed, resolved)) : checkWith(signed, verifier);
  };
  return createVerifier(kind.policy, {
    signature,
    claims: kind.claims,
    tokenType: "auth",
    onVerified: (token, { key }) => verifiedBy.set(token, { key, at: clock() }),
    isCurrent: (token, nowMs) => {
      const record = verifiedBy.get(token);
      return record !== undefined && !record.key.retired && nowMs - record.at < cacheMaxAge;
    },
  });
}

/**
 * The `alg` and `kid` of a token's header, read before its signature is checked (the signature
 * step reads the header again and pins the same `alg`): `undefined` unless `alg` is one of
 * `algorithms` and `kid`, when present, a non-empty string.
 */
function keySelector(signed: string, algorithms: readonly RemoteAlgorithm[]): { alg: RemoteAlgorithm; kid: string | undefined } | undefined {
  const header = decodeSegment(signed.slice(0, signed.indexOf(".")));
  if (header === undefined || !Object.hasOwn(header, "alg")) return undefined;
  const { alg, kid } = header;
  const hasKid = Object.hasOwn(header, "kid");
  if (!algorithms.includes(alg as RemoteAlgorithm) || (hasKid && (typeof kid !== "string" || kid === ""))) return undefined;
  return { alg: alg as RemoteAlgorithm, kid: hasKid ? (kid as string) : undefined };
}
