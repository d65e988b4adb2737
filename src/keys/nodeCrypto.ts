import { onCloudflareWorkers } from "../runtime/onCloudflareWorkers.js";
import type { KeyObject, SignKeyObjectInput } from "node:crypto";
import { ALGORITHM_PARAMS, type AuthType } from "../jws/algorithms.js";

/** The node:crypto module, as the runtime provides it. */
export type NodeCrypto = typeof import("node:crypto");

/**
 * `node:crypto` where the runtime has a complete one (Node, Bun, Deno), else `undefined`: the
 * caller then does the work with Web Crypto and jose. Loaded without a static import, so the
 * module graph of the server entry also loads where `node:crypto` does not exist (Cloudflare
 * Workers without `nodejs_compat`, Vercel's Edge Runtime).
 *
 * On Cloudflare Workers, `nodejs_compat`'s `node:crypto` is left out too: its `crypto.verify`
 * refuses the `{ key, padding }` form the native verifier uses, so every RS256 signature would be
 * refused (`npm run test:runtimes` runs that configuration). Module-internal.
 *
 * @example
 * ```ts
 * const hash = nodeCrypto?.createHash("sha256").update(text).digest("base64url");
 * ```
 */
export const nodeCrypto: NodeCrypto | undefined = onCloudflareWorkers ? undefined : globalThis.process?.getBuiltinModule?.("node:crypto");

// The test suite runs once more with this off, to prove the jose fallback alone passes it too.
let enabled = true;

/**
 * Internal switch, not exported from the package: `false` makes every verifier and signer built
 * afterwards use jose, as on a runtime without `node:crypto`.
 *
 * @example
 * ```ts
 * useNativeCrypto(false); // in a test setup file, before any AuthManager is built
 * ```
 */
export function useNativeCrypto(on: boolean): void {
  enabled = on;
}

/**
 * `node:crypto` for the one-shot signature paths (`nativeVerify`, `nativeSign`): the runtime's,
 * unless {@link useNativeCrypto} switched them off. Undefined means: use jose.
 */
export function nativeCrypto(): NodeCrypto | undefined {
  return enabled ? nodeCrypto : undefined;
}

/** How node:crypto computes one algorithm's signature: the same for signing and for verifying. */
export type NodeSignatureParams =
  | { readonly hmac: true; readonly hash: string; readonly key: KeyObject }
  | { readonly hmac: false; readonly hash: string | null; readonly key: KeyObject | SignKeyObjectInput };

/**
 * What `createHmac`, `crypto.sign` and `crypto.verify` take for `alg`, read from the one table
 * (`ALGORITHM_PARAMS`): the hash (null for Ed25519), and the key with PKCS#1 v1.5 padding for
 * RS*, PSS with a salt as long as the hash for PS* (RFC 7518 3.5), and `ieee-p1363` for ES*
 * (JOSE's fixed-width R || S, never DER; RFC 7518 3.4).
 *
 * @example
 * ```ts
 * const { hash, key } = nodeSignatureParams(node, "PS256", privateKey);
 * const signature = node.sign(hash, data, key); // PSS, 32-byte salt
 * ```
 */
export function nodeSignatureParams(node: NodeCrypto, alg: AuthType, key: KeyObject): NodeSignatureParams {
  const { keyType, hash, padding } = ALGORITHM_PARAMS[alg];
  if (keyType === "secret") return { hmac: true, hash: hash as string, key };
  if (keyType === "ed25519") return { hmac: false, hash: null, key };
  if (keyType === "ec") return { hmac: false, hash: hash as string, key: { key, dsaEncoding: "ieee-p1363" } };
  const { RSA_PKCS1_PADDING, RSA_PKCS1_PSS_PADDING } = node.constants;
  const rsa =
    padding === "pss" ? { key, padding: RSA_PKCS1_PSS_PADDING, saltLength: Number((hash as string).slice(3)) / 8 } : { key, padding: RSA_PKCS1_PADDING };
  return { hmac: false, hash: hash as string, key: rsa };
}
