import type { KeyInput, PreviousKey } from "./KeyInput.js";
import { JwtConfigError } from "../errors.js";
import { nonEmptyString, optionNames, unknownKeys } from "../options/validate.js";
import { ALGORITHM_PARAMS, type AuthType } from "../jws/algorithms.js";
import { hmacSecret } from "./hmacSecret.js";
import { ImportedKey } from "./ImportedKey.js";
import type { CheckedPair, KeyBackend, KeyConfig } from "./KeyBackend.js";
import { KeyRing } from "./KeyRing.js";
import { nodeCrypto } from "./nodeCrypto.js";
import { nodeKeys } from "./nodeKeys.js";
import { webCryptoKeys } from "./webCryptoKeys.js";

/**
 * Checks the configured keys and builds the manager's key ring: the signing key, the current
 * verifying key and the previous keys of a rotation, each with its `kid`. One flow for both
 * backends: node:crypto checks every key synchronously (bad keys fail in the constructor); where
 * node:crypto is missing (edge runtimes) Web Crypto imports them, and the checks that need the
 * imported key reject `ring.ready()` and the first signing instead. Throws `JwtConfigError`
 * naming the option; never echoes a key.
 *
 * @example
 * ```ts
 * const ring = importKeys(resolveOptions({ issuer: "api", authType: "ES256", secret: pem }));
 * ring.current.kid; // the RFC 7638 thumbprint of the public key
 * ```
 */
export function importKeys(config: KeyConfig): KeyRing {
  const alg = config.authType;
  const previous = config.previousKeys.map((entry, i) => previousEntry(entry, `previousKeys[${i}]`));
  const backend = nodeCrypto === undefined ? webCryptoKeys : nodeKeys;
  if (ALGORITHM_PARAMS[alg].keyType === "secret") {
    if (config.publicKey !== undefined) throw new JwtConfigError("publicKey", `is only used with asymmetric algorithms, not ${alg}`);
    const secret = (value: KeyInput | undefined, option: string, usages: KeyUsage[]) => backend.secretKey(hmacSecret(value, alg, option), alg, usages);
    const current = new ImportedKey(config.keyId, alg, secret(config.secret, "secret", ["sign", "verify"]), ["sign", "verify"]);
    const old = previous.map(({ entry, option }) => {
      if (entry.publicKey !== undefined)
        throw new JwtConfigError(`${option}.publicKey`, `is only used with asymmetric algorithms; ${alg} keys are { keyId, secret }`);
      // An HMAC key has no public thumbprint: its tokens can only find it by an explicit id.
      if (entry.keyId === undefined) throw new JwtConfigError(`${option}.keyId`, `is missing (required for ${alg} keys)`);
      return new ImportedKey(entry.keyId, alg, secret(entry.secret, `${option}.secret`, ["verify"]), ["verify"]);
    });
    return new KeyRing(current, [current, ...old]);
  }
  // Without secret (verify-only) resolveOptions has made sure of a publicKey.
  const current = backend.readPair(alg, config, "");
  const old = previous.map(({ entry, option }) => previousPair(backend, alg, entry, option));
  const jwks = [current, ...old].map(({ jwk }) => jwk);
  const published = jwks.some((jwk) => jwk instanceof Promise) ? Promise.all(jwks) : (jwks as JsonWebKey[]);
  const retired = old.flatMap(({ signing }) => (signing === undefined ? [] : [signing]));
  return new KeyRing(current.signing, [current.verifying, ...old.map(({ verifying }) => verifying)], published, retired);
}

// A previous asymmetric key: its public key, or its private key (`secret`, with `publicKey` its
// half when given; the pair's `signing` key), kept so that API keys made under it stay valid; it never signs.
function previousPair(backend: KeyBackend, alg: AuthType, entry: PreviousKey, option: string): CheckedPair {
  if (entry.secret === undefined && entry.publicKey === undefined) throw new JwtConfigError(`${option}.publicKey`, "is missing");
  if (!backend.thumbprints && entry.keyId === undefined)
    throw new JwtConfigError(`${option}.keyId`, "is missing (this runtime has no node:crypto to compute the key's thumbprint)");
  // Read as a pair whose private half may be missing: then it is the public key alone.
  return backend.readPair(alg, entry, `${option}.`);
}

const PREVIOUS_KEY_NAMES = optionNames<PreviousKey>({ keyId: true, publicKey: true, secret: true });

function previousEntry(entry: PreviousKey, option: string): { readonly entry: PreviousKey; readonly option: string } {
  if (typeof entry !== "object" || entry === null) throw new JwtConfigError(option, "must be an object { keyId?, publicKey } (HMAC: { keyId, secret })");
  unknownKeys(entry, { names: PREVIOUS_KEY_NAMES, kind: "a previous-key option", prefix: `${option}.` });
  if (entry.keyId !== undefined) nonEmptyString(entry.keyId, `${option}.keyId`);
  return { entry, option };
}
