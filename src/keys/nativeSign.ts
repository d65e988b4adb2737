import type { KeyObject } from "node:crypto";
import type { AuthType } from "../jws/algorithms.js";
import { nativeCrypto, nodeSignatureParams } from "./nodeCrypto.js";

/** One signature with a pinned algorithm and key: the JWS signing input in, the signature (base64url) out. */
export type NativeSigner = (signingInput: string) => string;

/**
 * Synchronous JWS signing on a key imported once, made of node:crypto's one-shot primitives (one
 * OpenSSL call per signature): `createHmac` for HS*, `crypto.sign` for the others, with the
 * parameters `nodeSignatureParams` reads from the algorithm table (the same `nativeVerify`
 * checks with): PKCS#1 v1.5 for RS*, PSS with a salt as long as the hash for PS*, JOSE's raw
 * R || S (`ieee-p1363`, not DER) for ES*, Ed25519 for EdDSA. Undefined when `node:crypto` is
 * unavailable (or switched off): sign with jose then. `key` must be the checked signing key of
 * `alg` (the HMAC secret, or the private key `importKeys` read).
 *
 * @example
 * ```ts
 * const sign = nativeSign("ES256", privateKey);
 * const token = `${input}.${sign?.(input)}`; // 86 characters of R || S
 * ```
 */
export function nativeSign(alg: AuthType, key: KeyObject): NativeSigner | undefined {
  const node = nativeCrypto();
  if (node === undefined) return undefined;
  const { createHmac, sign } = node;
  const params = nodeSignatureParams(node, alg, key);
  if (params.hmac) {
    const { hash } = params;
    return (input) => createHmac(hash, key).update(input).digest("base64url");
  }
  const { hash, key: signingKey } = params;
  return (input) => sign(hash, Buffer.from(input), signingKey).toString("base64url");
}
