import { compactVerify, type FlattenedJWSInput } from "jose";
import type { ImportedKey } from "../keys/ImportedKey.js";
import type { KeyRing } from "../keys/KeyRing.js";
import { nativeVerify, signatureLength, type NativeCheck } from "../keys/nativeVerify.js";
import { nativeJwsVerifier, type VerifiedJws } from "./nativeJwsVerifier.js";
import { signatureFits } from "./verifyCompactJws.js";

/**
 * Checks one compact JWS's signature, then hands the verified header and payload bytes to
 * `verified`; on any failure (bad signature, another algorithm, an unknown `kid`) calls `refused`
 * instead, passing nothing on. Continuations rather than a returned promise, so the hot path
 * takes no extra promise hop.
 */
export type SignatureCheck = <T>(signed: string, verified: (result: VerifiedJws) => T, refused: () => never) => Promise<T>;

/**
 * The signature step of verification, and nothing else: the ring's key for the token's `kid`
 * (the current key when it names none), the ring's one algorithm pinned. Claims are not looked at.
 * On Node, node:crypto's one-shot primitives check the signature synchronously (`nativeVerify`);
 * where node:crypto is missing, jose's `compactVerify` does. `test/nativeVerify.test.ts` holds
 * the two to the same decision on every token.
 *
 * @example
 * ```ts
 * const checkSignature = createSignatureCheck(ring);
 * const claims = await checkSignature(signed, ({ payload }) => payload, () => { throw new JwtError("TOKEN_INVALID"); });
 * ```
 */
export function createSignatureCheck(ring: KeyRing): SignatureCheck {
  return nativeSignatureCheck(ring) ?? joseSignatureCheck(ring);
}

function nativeSignatureCheck(ring: KeyRing): SignatureCheck | undefined {
  const checks = new Map<ImportedKey, NativeCheck>();
  for (const key of ring.verifying) {
    const check = key.keyObject === undefined ? undefined : nativeVerify(ring.alg, key.keyObject);
    if (check === undefined) return undefined;
    checks.set(key, check);
  }
  const verifyJws = nativeJwsVerifier(ring.alg, (kid) => {
    const key = ring.select(kid);
    return key === undefined ? undefined : checks.get(key);
  });
  return (signed, verified, refused) => {
    let result: VerifiedJws | undefined;
    try {
      result = verifyJws(signed);
    } catch {
      result = undefined; // fail closed, as jose's rejections are
    }
    try {
      return Promise.resolve(result === undefined ? refused() : verified(result));
    } catch (error) {
      return Promise.reject(error);
    }
  };
}

function joseSignatureCheck(ring: KeyRing): SignatureCheck {
  const options = { algorithms: [ring.alg] };
  // The native check's length rule, so both paths refuse the same tokens. Without node:crypto there
  // is no KeyObject to size an RSA key by: the runtime's Web Crypto decides.
  const sizeFits = (key: ImportedKey, signed: string) => key.keyObject === undefined || signatureFits(signed, signatureLength(ring.alg, key.keyObject));
  if (ring.verifying.length === 1) {
    // One key: hand it to jose directly (no resolver hop), then hold the token's kid to it.
    // The same rule as ring.select: no kid, or exactly this key's.
    const key = ring.current;
    const { kid } = key;
    return (signed, verified, refused) => {
      if (!sizeFits(key, signed)) return Promise.resolve().then(refused);
      const joseKey = key.joseKey;
      const result = joseKey instanceof Promise ? joseKey.then((ready) => compactVerify(signed, ready, options)) : compactVerify(signed, joseKey, options);
      return result.then((ok) => {
        const named = ok.protectedHeader.kid;
        return named === undefined || named === kid ? verified(ok) : refused();
      }, refused);
    };
  }
  const resolve = (header: { kid?: unknown }, jws: FlattenedJWSInput) => {
    const key = ring.select(header.kid);
    if (key === undefined || !sizeFits(key, `.${jws.signature}`)) throw new Error("unknown kid or wrong signature length");
    return key.joseKey;
  };
  return (signed, verified, refused) => compactVerify(signed, resolve, options).then(verified, refused);
}
