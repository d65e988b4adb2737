import type { KeyObject } from "node:crypto";
import type { PreviousKey } from "../config/options.js";
import { JwtConfigError } from "../errors.js";
import { ALGORITHM_PARAMS } from "../jws/algorithms.js";
import type { KeyConfig } from "./KeyConfig.js";
import { hmacSecret } from "./hmacSecret.js";
import { ImportedKey } from "./ImportedKey.js";
import { jwkThumbprint } from "./jwkThumbprint.js";
import { importWithWebCrypto } from "./importWithWebCrypto.js";
import { KeyRing } from "./KeyRing.js";
import { nodeCrypto } from "./nodeCrypto.js";
import type { PreviousEntry } from "./PreviousEntry.js";
import { readKey } from "./readKey.js";

/**
 * Checks the configured keys synchronously (so bad keys fail in the constructor) and builds the
 * manager's key ring: the signing key, the current verifying key and the previous keys of a
 * rotation, each with its `kid`. Throws `JwtConfigError` naming the option; never echoes a key.
 *
 * @example
 * ```ts
 * const ring = importKeys(resolveOptions({ issuer: "api", authType: "ES256", secret: pem }));
 * ring.current.kid; // the RFC 7638 thumbprint of the public key
 * ```
 */
export function importKeys(options: KeyConfig): KeyRing {
  const { authType: alg } = options;
  const previous = options.previousKeys.map((entry, i) => previousEntry(entry, `previousKeys[${i}]`));
  const node = nodeCrypto;
  if (node === undefined) return refuseRepeatedIds(importWithWebCrypto(options, previous));
  const { createPublicKey, createSecretKey } = node;
  let ring: KeyRing;
  if (ALGORITHM_PARAMS[alg].keyType === "secret") {
    if (options.publicKey !== undefined) throw new JwtConfigError("publicKey", `is only used with asymmetric algorithms, not ${alg}`);
    const current = new ImportedKey(options.keyId, alg, createSecretKey(hmacSecret(options.secret, alg, "secret")), ["sign", "verify"]);
    const old = previous.map(({ entry, option }) => {
      if (entry.publicKey !== undefined)
        throw new JwtConfigError(`${option}.publicKey`, `is only used with asymmetric algorithms; ${alg} keys are { keyId, secret }`);
      // An HMAC key has no public thumbprint: its tokens can only find it by an explicit id.
      if (entry.keyId === undefined) throw new JwtConfigError(`${option}.keyId`, `is missing (required for ${alg} keys)`);
      return new ImportedKey(entry.keyId, alg, createSecretKey(hmacSecret(entry.secret, alg, `${option}.secret`)), ["verify"]);
    });
    ring = new KeyRing(current, [current, ...old]);
  } else {
    // Without secret (verify-only) resolveOptions has made sure of a publicKey.
    const privateKey = options.secret === undefined ? undefined : readKey(options.secret, alg, "secret", "private");
    const derived = privateKey === undefined ? undefined : createPublicKey(privateKey);
    const publicKey = options.publicKey === undefined ? (derived as KeyObject) : readKey(options.publicKey, alg, "publicKey", "public");
    if (derived !== undefined && !publicKey.equals(derived)) throw new JwtConfigError("publicKey", "is not the public half of secret");
    const kid = options.keyId ?? jwkThumbprint(publicKey);
    const old = previous.map(({ entry, option }) => {
      if (entry.secret !== undefined) throw new JwtConfigError(`${option}.secret`, `is only used with HMAC; ${alg} keys are { keyId?, publicKey }`);
      if (entry.publicKey === undefined) throw new JwtConfigError(`${option}.publicKey`, "is missing");
      const key = readKey(entry.publicKey, alg, `${option}.publicKey`, "public");
      return new ImportedKey(entry.keyId ?? jwkThumbprint(key), alg, key, ["verify"]);
    });
    const verifying = [new ImportedKey(kid, alg, publicKey, ["verify"]), ...old] as const;
    // Each holds a public KeyObject, which exports only public members.
    const signing = privateKey === undefined ? undefined : new ImportedKey(kid, alg, privateKey, ["sign"]);
    ring = new KeyRing(
      signing,
      verifying,
      verifying.map((key) => key.keyObject?.export({ format: "jwk" }) as JsonWebKey),
    );
  }
  return refuseRepeatedIds(ring);
}

function previousEntry(entry: PreviousKey, option: string): PreviousEntry {
  if (typeof entry !== "object" || entry === null) throw new JwtConfigError(option, "must be an object { keyId?, publicKey } (HMAC: { keyId, secret })");
  for (const name of Object.keys(entry)) {
    if (name !== "keyId" && name !== "publicKey" && name !== "secret")
      throw new JwtConfigError(`${option}.${name}`, "is not a previous-key option (keyId, publicKey, secret)");
  }
  if (entry.keyId !== undefined && (typeof entry.keyId !== "string" || entry.keyId.trim() === "")) {
    throw new JwtConfigError(`${option}.keyId`, "must be a non-empty string");
  }
  return { entry, option };
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
