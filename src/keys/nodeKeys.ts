import type { KeyObject } from "node:crypto";
import { ImportedKey } from "./ImportedKey.js";
import { jwkThumbprint } from "./jwkThumbprint.js";
import { notThePair, type KeyBackend } from "./KeyBackend.js";
import { nodeCrypto } from "./nodeCrypto.js";
import { readKey } from "./readKey.js";

// Chosen by importKeys only where node:crypto exists.
const node = () => nodeCrypto as NonNullable<typeof nodeCrypto>;

/**
 * The node:crypto key backend: every key read and checked synchronously (`readKey`: PEM, JWK,
 * OpenSSH, KeyObject, CryptoKey), the pair compared, a key without `keyId` named by its RFC 7638
 * thumbprint. Module-internal; `importKeys` chooses it.
 */
export const nodeKeys: KeyBackend = {
  thumbprints: true,
  secretKey: (bytes) => node().createSecretKey(bytes),
  readPair(alg, { secret, publicKey: given, keyId }, prefix) {
    const privateKey = secret === undefined ? undefined : readKey(secret, alg, `${prefix}secret`, "private");
    const derived = privateKey === undefined ? undefined : node().createPublicKey(privateKey);
    const publicKey = given === undefined ? (derived as KeyObject) : readKey(given, alg, `${prefix}publicKey`, "public");
    if (derived !== undefined && !publicKey.equals(derived)) throw notThePair(prefix);
    const kid = keyId ?? jwkThumbprint(publicKey);
    return {
      signing: privateKey === undefined ? undefined : new ImportedKey(kid, alg, privateKey, ["sign"]),
      verifying: new ImportedKey(kid, alg, publicKey, ["verify"]),
      // A public KeyObject exports only public members.
      jwk: publicKey.export({ format: "jwk" }) as JsonWebKey,
    };
  },
};
