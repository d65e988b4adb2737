import type { KeyObject } from "node:crypto";
import { ALGORITHM_PARAMS, type AuthType } from "../jws/algorithms.js";

/**
 * One checked key of the ring, held in both forms a verifier may want: a node `KeyObject` (for
 * node:crypto; absent where the runtime has none) and the WebCrypto `CryptoKey` jose uses,
 * imported once. Module-internal.
 */
export class ImportedKey {
  /** The `kid` its tokens carry; undefined for a key without one (HMAC without `keyId`). */
  readonly kid: string | undefined;
  /** The one algorithm this key signs or verifies with. */
  readonly alg: AuthType;
  /** The HMAC secret, the private key (signing) or the public key (verifying); undefined without node:crypto. */
  readonly keyObject: KeyObject | undefined;
  /** jose's key: a promise until imported, then the key itself (no promise hop per call). */
  joseKey: CryptoKey | Promise<CryptoKey>;

  /** From a checked `KeyObject`, or (without node:crypto) from a Web Crypto import under way. */
  constructor(kid: string | undefined, alg: AuthType, key: KeyObject | Promise<CryptoKey>, usages: KeyUsage[]) {
    this.kid = kid;
    this.alg = alg;
    this.keyObject = key instanceof Promise ? undefined : key;
    const imported = key instanceof Promise ? key : importForJose(key, alg, usages);
    this.joseKey = imported;
    // A checked key cannot fail to import; a Web Crypto import may (its checks run with it): the
    // rejection surfaces on first use (signing rejects, verification refuses), never unhandled.
    imported.then(
      (ready) => (this.joseKey = ready),
      () => undefined,
    );
  }
}

function importForJose(key: KeyObject, alg: AuthType, usages: KeyUsage[]): Promise<CryptoKey> {
  const params = ALGORITHM_PARAMS[alg].webCrypto;
  if (key.type === "secret") return crypto.subtle.importKey("raw", key.export(), params, false, usages);
  if (key.type === "private") return crypto.subtle.importKey("pkcs8", key.export({ type: "pkcs8", format: "der" }), params, false, usages);
  return crypto.subtle.importKey("spki", key.export({ type: "spki", format: "der" }), params, false, usages);
}
