import type { KeyInput, PreviousKey } from "./KeyInput.js";
import { JwtConfigError } from "../errors.js";
import { nonEmptyString } from "../options/validate.js";
import { ALGORITHM_PARAMS } from "../jws/algorithms.js";
import { hmacSecret } from "./hmacSecret.js";
import { ImportedKey } from "./ImportedKey.js";
import type { KeyBackend, KeyConfig, PairNames, PublishedKey } from "./KeyBackend.js";
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
    return refuseRepeatedIds(new KeyRing(current, [current, ...old]));
  }
  // Without secret (verify-only) resolveOptions has made sure of a publicKey.
  const { signing, current } = backend.currentKeys(config, pairNames(""));
  const old = previous.map(({ entry, option }) => previousPublicKey(backend, config, entry, option));
  const verifying = [current, ...old] as const;
  const jwks = verifying.map(({ jwk }) => jwk);
  const published = jwks.some((jwk) => jwk instanceof Promise) ? Promise.all(jwks) : (jwks as JsonWebKey[]);
  const retired = old.flatMap(({ retired: key }) => (key === undefined ? [] : [key]));
  return refuseRepeatedIds(new KeyRing(signing, [current.key, ...old.map(({ key }) => key)], published, retired));
}

// A previous asymmetric key: its public key, or its private key (`secret`, with `publicKey` its
// half when given), kept so that API keys made under it stay valid; it never signs.
function previousPublicKey(
  backend: KeyBackend,
  { authType: alg }: KeyConfig,
  entry: PreviousKey,
  option: string,
): PublishedKey & { readonly retired?: ImportedKey | undefined } {
  if (entry.secret === undefined && entry.publicKey === undefined) throw new JwtConfigError(`${option}.publicKey`, "is missing");
  if (!backend.thumbprints && entry.keyId === undefined)
    throw new JwtConfigError(`${option}.keyId`, "is missing (this runtime has no node:crypto to compute the key's thumbprint)");
  // Read as a pair whose private half may be missing: then it is the public key alone.
  const pair = { authType: alg, secret: entry.secret, publicKey: entry.publicKey, keyId: entry.keyId, previousKeys: [] };
  const { signing, current } = backend.currentKeys(pair, pairNames(`${option}.`));
  return { ...current, retired: signing };
}

function previousEntry(entry: PreviousKey, option: string): { readonly entry: PreviousKey; readonly option: string } {
  if (typeof entry !== "object" || entry === null) throw new JwtConfigError(option, "must be an object { keyId?, publicKey } (HMAC: { keyId, secret })");
  for (const name of Object.keys(entry)) {
    if (name !== "keyId" && name !== "publicKey" && name !== "secret")
      throw new JwtConfigError(`${option}.${name}`, "is not a previous-key option (keyId, publicKey, secret)");
  }
  if (entry.keyId !== undefined) nonEmptyString(entry.keyId, `${option}.keyId`);
  return { entry, option };
}

// The options a pair's errors name: `secret` and `publicKey`, or a previous key's.
function pairNames(prefix: string): PairNames {
  return { secret: `${prefix}secret`, publicKey: `${prefix}publicKey` };
}

function refuseRepeatedIds(ring: KeyRing): KeyRing {
  const seen = new Set<string>();
  ring.verifying.forEach((key, i) => {
    if (key.kid === undefined) return;
    if (seen.has(key.kid))
      throw new JwtConfigError(
        i === 0 ? "keyId" : `previousKeys[${i - 1}].keyId`,
        "repeats the id of another key (the same key twice, or two keys with one id)",
      );
    seen.add(key.kid);
  });
  return ring;
}
