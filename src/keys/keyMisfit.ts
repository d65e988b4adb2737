import type { KeyObject } from "node:crypto";
import { ALGORITHM_PARAMS, type AuthType } from "../jws/algorithms.js";

/**
 * Why `key` cannot be `alg`'s key of this `half`, read from the algorithm table, or `undefined`
 * when it fits: the right half, the right family, the algorithm's EC curve, Ed25519 for EdDSA,
 * RSA of at least the row's `minRsaBits`. One rule for reading a configured key (`readKey`,
 * which names the option) and for the signature check's guard (`assertKeyFits`). The message
 * names the algorithm, never the key.
 *
 * @example
 * ```ts
 * keyMisfit(createPublicKey(p256Pem), "ES384", "public"); // "must be an EC key on curve P-384 for ES384"
 * ```
 */
export function keyMisfit(key: KeyObject, alg: AuthType, half: "private" | "public" | "secret"): string | undefined {
  if (key.type !== half)
    return key.type === "secret" ? `is a secret key; ${alg} needs a ${half} key` : `is a ${key.type} key; ${alg} needs the ${half} key here`;
  const params = ALGORITHM_PARAMS[alg];
  if (params.keyType === "secret") return undefined;
  if (key.asymmetricKeyType !== params.keyType)
    return `must be ${params.curve !== undefined ? `an EC (${params.curve.crv})` : params.keyType === "rsa" ? "an RSA" : "an Ed25519"} key`;
  if (params.curve !== undefined && key.asymmetricKeyDetails?.namedCurve !== params.curve.node)
    return `must be an EC key on curve ${params.curve.crv} for ${alg}`;
  if (params.minRsaBits !== undefined && (key.asymmetricKeyDetails?.modulusLength ?? 0) < params.minRsaBits)
    return `must be an RSA key of at least ${params.minRsaBits} bits`;
  return undefined;
}
