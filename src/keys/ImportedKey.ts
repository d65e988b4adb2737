import { webcrypto, type KeyObject } from "node:crypto";
import type { AuthType } from "../config/options.js";
import { ALGORITHM_PARAMS } from "./algorithms.js";

/**
 * One checked key of the ring, held in both forms a verifier may want: a node `KeyObject` (for
 * node:crypto) and the WebCrypto `CryptoKey` jose uses, imported once. Module-internal.
 */
export class ImportedKey {
  /** The `kid` its tokens carry; undefined for an HMAC key without `keyId`. */
  readonly kid: string | undefined;
  /** The one algorithm this key signs or verifies with. */
  readonly alg: AuthType;
  /** The HMAC secret, the private key (signing) or the public key (verifying). */
  readonly keyObject: KeyObject;
  /** jose's key: a promise until imported, then the key itself (no promise hop per call). */
  joseKey: CryptoKey | Promise<CryptoKey>;

  constructor(kid: string | undefined, alg: AuthType, keyObject: KeyObject, usages: KeyUsage[]) {
    this.kid = kid;
    this.alg = alg;
    this.keyObject = keyObject;
    const imported = importForJose(keyObject, alg, usages);
    this.joseKey = imported;
    // The key was checked before import, so this cannot fail; should it, the rejection surfaces
    // on first use rather than as an unhandled rejection at start-up.
    imported.then((key) => (this.joseKey = key), () => undefined);
  }
}

function importForJose(key: KeyObject, alg: AuthType, usages: KeyUsage[]): Promise<CryptoKey> {
  const params = ALGORITHM_PARAMS[alg].webCrypto;
  if (key.type === "secret") return webcrypto.subtle.importKey("raw", key.export(), params, false, usages);
  if (key.type === "private") return webcrypto.subtle.importKey("pkcs8", key.export({ type: "pkcs8", format: "der" }), params, false, usages);
  return webcrypto.subtle.importKey("spki", key.export({ type: "spki", format: "der" }), params, false, usages);
}
