import { compactVerify, type CompactVerifyResult } from "jose";
import type { KeyRing } from "../keys/KeyRing.js";

/**
 * Checks one compact JWS's signature, then hands the verified header and payload bytes to
 * `verified`; on any failure (bad signature, another algorithm, an unknown `kid`) calls `refused`
 * instead, passing nothing on. Continuations rather than a returned promise, so the hot path
 * takes no extra promise hop.
 */
export type SignatureCheck = <T>(signed: string, verified: (result: CompactVerifyResult) => T, refused: () => never) => Promise<T>;

/**
 * The signature step of verification, and nothing else: the ring's key for the token's `kid`
 * (the current key when it names none), the ring's one algorithm pinned. Claims are not looked at.
 *
 * @example
 * ```ts
 * const checkSignature = createSignatureCheck(ring);
 * const claims = await checkSignature(signed, ({ payload }) => payload, () => { throw new JwtError("TOKEN_INVALID"); });
 * ```
 */
export function createSignatureCheck(ring: KeyRing): SignatureCheck {
  const options = { algorithms: [ring.alg] };
  if (ring.verifying.length === 1) {
    // One key: hand it to jose directly (no resolver hop), then hold the token's kid to it.
    // The same rule as ring.select: no kid, or exactly this key's.
    const key = ring.current;
    const { kid } = key;
    return (signed, verified, refused) => {
      const joseKey = key.joseKey;
      const result = joseKey instanceof Promise ? joseKey.then((ready) => compactVerify(signed, ready, options)) : compactVerify(signed, joseKey, options);
      return result.then((ok) => {
        const named = ok.protectedHeader.kid;
        return named === undefined || named === kid ? verified(ok) : refused();
      }, refused);
    };
  }
  const resolve = (header: { kid?: unknown }) => {
    const key = ring.select(header.kid);
    if (key === undefined) throw new Error("unknown kid");
    return key.joseKey;
  };
  return (signed, verified, refused) => compactVerify(signed, resolve, options).then(verified, refused);
}
