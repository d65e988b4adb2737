import { compactVerify, type CryptoKey, type KeyObject as JoseKeyObject } from "jose";
import type { KeyObject } from "node:crypto";
import type { AuthType } from "../jws/algorithms.js";
import { nativeVerify, signatureLength } from "../keys/nativeVerify.js";
import { nativeJwsVerifier, type VerifiedJws } from "./nativeJwsVerifier.js";

export type { VerifiedJws } from "./nativeJwsVerifier.js";

/**
 * The signature step for one pinned algorithm and one key the caller has already chosen: the
 * verified header and payload, or `undefined` for any refusal. Synchronous on Node (node:crypto),
 * a promise on the jose fallback. The input must already have passed `isCompactJws`.
 */
export type JwsVerifier = (signed: string) => VerifiedJws | undefined | Promise<VerifiedJws | undefined>;

/** A key in the forms the verifier uses: a KeyObject for node:crypto, and what jose takes. */
export interface VerificationKey {
  /** The verification key as node:crypto holds it; absent on a runtime without node:crypto. */
  readonly keyObject?: KeyObject | undefined;
  /** The same key for jose (a CryptoKey, a KeyObject, or HMAC secret bytes), or a promise of it. */
  readonly joseKey: CryptoKey | JoseKeyObject | Uint8Array | Promise<CryptoKey | JoseKeyObject | Uint8Array>;
}

/**
 * Builds the signature step for one key (the caller picked it, e.g. by `kid` from a remote key
 * set; `createSignatureCheck` does the same for a manager's key ring): node:crypto's one-shot
 * verification where the runtime has it (see `nativeVerify`), else jose's `compactVerify`. Both
 * pin `alg` and refuse a signature of the wrong length, and `test/nativeVerify.test.ts` holds
 * them to the same decision on every token.
 *
 * @example
 * ```ts
 * const verifyJws = createJwsVerifier("ES256", { keyObject: publicKey, joseKey: publicKey });
 * const verified = isCompactJws(token, 8192) ? await verifyJws(token) : undefined;
 * ```
 */
export function createJwsVerifier(alg: AuthType, key: VerificationKey): JwsVerifier {
  const check = key.keyObject === undefined ? undefined : nativeVerify(alg, key.keyObject);
  if (check !== undefined) return nativeJwsVerifier(alg, () => check);
  const options = { algorithms: [alg] };
  const refused = () => undefined;
  const length = key.keyObject === undefined ? undefined : signatureLength(alg, key.keyObject);
  // Once imported, the key is passed directly: no extra promise hop per call.
  let joseKey = key.joseKey;
  if (joseKey instanceof Promise) joseKey.then((resolved) => (joseKey = resolved), refused);
  return (signed) => {
    if (length !== undefined && !signatureFits(signed, length)) return Promise.resolve(undefined);
    const current = joseKey;
    return (current instanceof Promise ? current.then((resolved) => compactVerify(signed, resolved, options)) : compactVerify(signed, current, options)).then(
      (verified) => verified,
      refused,
    );
  };
}

/**
 * The native check's length rule for the jose fallback, so both paths refuse the same tokens:
 * the last segment (canonical base64url of c characters, so floor(3c / 4) bytes) is `length` bytes.
 *
 * @example
 * ```ts
 * signatureFits(token, signatureLength("ES256", key)); // 64 bytes: 86 characters
 * ```
 */
export function signatureFits(signed: string, length: number): boolean {
  return Math.floor(((signed.length - signed.lastIndexOf(".") - 1) * 3) / 4) === length;
}
