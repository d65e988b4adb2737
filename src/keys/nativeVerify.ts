import type { KeyObject } from "node:crypto";
import { ALGORITHM_PARAMS, type AuthType } from "../jws/algorithms.js";
import { keyMisfit } from "./keyMisfit.js";
import { nativeCrypto, nodeSignatureParams } from "./nodeCrypto.js";

/**
 * One signature check with a pinned algorithm and key: the JWS signing input (the token up to its
 * last dot) and the decoded signature bytes in, a yes or no out. Never throws.
 */
export type NativeCheck = (signingInput: string, signature: Uint8Array) => boolean;

/**
 * A synchronous signature check on a key imported once, made of node:crypto's one-shot
 * primitives (one OpenSSL call per signature, as fast-jwt does): `createHmac` and
 * `timingSafeEqual` for HS*, `crypto.verify` for the others, with the parameters
 * `nodeSignatureParams` reads from the algorithm table (the same `nativeSign` signs with).
 * Undefined when `node:crypto` is unavailable (or switched off): use jose then.
 *
 * Throws `TypeError` when the key cannot be this algorithm's (wrong type, curve, or an RSA key under
 * 2048 bits): a manager's keys are checked at construction and a remote key set's on arrival, so
 * this only ever fails closed.
 *
 * @example
 * ```ts
 * const check = nativeVerify("ES256", createPublicKey(pem));
 * const ok = check?.(token.slice(0, token.lastIndexOf(".")), signatureBytes);
 * ```
 */
export function nativeVerify(alg: AuthType, key: KeyObject): NativeCheck | undefined {
  assertKeyFits(alg, key);
  const node = nativeCrypto();
  if (node === undefined) return undefined;
  const { createHmac, timingSafeEqual, verify } = node;
  const length = signatureLength(alg, key);
  // A signature of another length is refused unread. crypto.verify throws on some malformed
  // input (e.g. a signature longer than an RSA modulus): every throw is a refusal.
  const guarded =
    (check: NativeCheck): NativeCheck =>
    (input, signature) => {
      if (signature.length !== length) return false;
      try {
        return check(input, signature);
      } catch {
        return false;
      }
    };
  const params = nodeSignatureParams(node, alg, key);
  if (params.hmac) {
    const { hash } = params;
    return guarded((input, signature) => timingSafeEqual(createHmac(hash, key).update(input).digest(), signature));
  }
  const { hash, key: input } = params;
  return guarded((data, signature) => verify(hash, Buffer.from(data), input, signature));
}

/**
 * The one length a signature of `alg` by `key` has, in bytes: a signature of any other length is
 * refused before any cryptography, on both paths, so a token has one spelling (OpenSSL would
 * otherwise accept an RSA-PSS signature stripped of a leading zero byte).
 *
 * @example
 * ```ts
 * signatureLength("RS256", rsa2048PublicKey); // 256
 * ```
 */
export function signatureLength(alg: AuthType, key: KeyObject): number {
  // RSA: the modulus length, which OpenSSL does not insist on for PSS.
  return ALGORITHM_PARAMS[alg].signatureBytes ?? Math.ceil((key.asymmetricKeyDetails?.modulusLength ?? 0) / 8);
}

/**
 * Throws `TypeError` unless `key` can verify `alg`: a secret key for HS*, an RSA public key of at
 * least 2048 bits for RS* and PS*, an EC public key on the algorithm's curve for ES*, an Ed25519
 * public key for EdDSA. Messages name the algorithm, never the key.
 */
export function assertKeyFits(alg: AuthType, key: KeyObject): void {
  const misfit = keyMisfit(key, alg, ALGORITHM_PARAMS[alg].keyType === "secret" ? "secret" : "public");
  if (misfit !== undefined) throw new TypeError(`the verification key does not fit ${alg}`);
}
