import type { KeyInput } from "./KeyInput.js";
import { JwtConfigError } from "../errors.js";
import { ALGORITHM_PARAMS, type AuthType } from "../jws/algorithms.js";
import { attempt } from "./attempt.js";
import { ImportedKey } from "./ImportedKey.js";
import { notThePair, wrongHalf, type KeyBackend } from "./KeyBackend.js";
import { publicHalf } from "./publicHalf.js";

/**
 * The key backend where node:crypto is missing (edge runtimes): everything through Web Crypto.
 * Asymmetric keys as PKCS#8 / SPKI PEM, JWK objects or CryptoKeys (what Web Crypto reads; PKCS#1,
 * SEC1 and OpenSSH throw `JwtConfigError` naming the option). The size, curve and pairing checks
 * need the imported key, so they run as the import does: a bad key rejects `ring.ready()` and the
 * first signing with `JwtConfigError` naming the option, and verification with it refuses every
 * token. The public JWKs for `jwks()` come with the import. No thumbprint: a key's `kid` is its
 * `keyId` or none. Module-internal; `importKeys` chooses it.
 */
export const webCryptoKeys: KeyBackend = {
  thumbprints: false,
  secretKey: (bytes, alg, usages) => crypto.subtle.importKey("raw", bytes, ALGORITHM_PARAMS[alg].webCrypto, false, usages),
  readPair(alg, { secret, publicKey, keyId }, prefix) {
    const params = ALGORITHM_PARAMS[alg].webCrypto;
    const privateJwk = secret === undefined ? undefined : readWithWebCrypto(secret, alg, `${prefix}secret`, "private");
    const givenJwk = publicKey === undefined ? undefined : readWithWebCrypto(publicKey, alg, `${prefix}publicKey`, "public");
    const checked = handled(
      (async () => {
        const jwk = await privateJwk;
        const given = givenJwk === undefined ? undefined : publicHalf(await givenJwk);
        const publicJwk = jwk === undefined ? (given as JsonWebKey) : publicHalf(jwk);
        // Both are publicHalf's, whose members come in one fixed order.
        if (given !== undefined && JSON.stringify(publicJwk) !== JSON.stringify(given)) throw notThePair(prefix);
        const { ext: _ext, key_ops: _ops, ...signing } = jwk ?? {};
        return {
          publicJwk,
          sign: jwk === undefined ? undefined : await crypto.subtle.importKey("jwk", signing, params, false, ["sign"]),
          verify: await crypto.subtle.importKey("jwk", publicJwk, params, false, ["verify"]),
        };
      })(),
    );
    const signKey = privateJwk === undefined ? undefined : checked.then((keys) => keys.sign as CryptoKey);
    const verifyKey = checked.then((keys) => keys.verify);
    return {
      signing: signKey === undefined ? undefined : new ImportedKey(keyId, alg, signKey, ["sign"]),
      verifying: new ImportedKey(keyId, alg, verifyKey, ["verify"]),
      jwk: handled(checked.then((keys) => keys.publicJwk)),
    };
  },
};

/**
 * One half of the pair as an extractable JWK, after the checks node:crypto would have made at
 * construction. Starts the import of a key form Web Crypto reads; refuses the others now.
 */
function readWithWebCrypto(value: KeyInput, alg: AuthType, option: string, half: "private" | "public"): Promise<JsonWebKey> {
  const { webCrypto: params, minRsaBits } = ALGORITHM_PARAMS[alg];
  const usages: KeyUsage[] = half === "private" ? ["sign"] : ["verify"];
  let imported: Promise<CryptoKey>;
  if (value instanceof CryptoKey) {
    if (value.type !== half) throw wrongHalf(option, half);
    imported = crypto.subtle.exportKey("jwk", value).then((jwk) => crypto.subtle.importKey("jwk", jwk, params, true, usages));
  } else if (typeof value === "object" && !(value instanceof Uint8Array)) {
    if ("d" in value !== (half === "private")) throw wrongHalf(option, half);
    imported = crypto.subtle.importKey("jwk", value as JsonWebKey, params, true, usages);
  } else {
    imported = crypto.subtle.importKey(half === "private" ? "pkcs8" : "spki", pemDer(value, option, half), params, true, usages);
  }
  const refuse = () => Promise.reject(new JwtConfigError(option, `must be a ${half} key for this algorithm`));
  return handled(
    imported.then(async (key) => {
      const bits = (key.algorithm as Partial<RsaHashedKeyAlgorithm>).modulusLength;
      if (bits !== undefined && minRsaBits !== undefined && bits < minRsaBits)
        throw new JwtConfigError(option, `must be an RSA key of at least ${minRsaBits} bits`);
      // The curve and family were fixed by the import parameters: another curve does not import.
      return crypto.subtle.exportKey("jwk", key);
    }, refuse),
  );
}

/** The DER of the one PEM form Web Crypto reads for this half (PKCS#8, SPKI); refuses the others. */
function pemDer(value: string | Uint8Array, option: string, half: "private" | "public"): Uint8Array<ArrayBuffer> {
  const text = (typeof value === "string" ? value : new TextDecoder().decode(value)).replace(/\\n/g, "\n");
  const der = pemBody(text, half === "private" ? "PRIVATE KEY" : "PUBLIC KEY");
  // A public PEM where the private key belongs, or any private one (PKCS#8, PKCS#1, SEC1) where the public key does.
  const otherHalf = half === "private" ? der === undefined && pemBody(text, "PUBLIC KEY") !== undefined : text.includes("PRIVATE KEY-----");
  if (otherHalf) throw wrongHalf(option, half);
  if (der !== undefined) return der;
  throw new JwtConfigError(
    option,
    half === "private"
      ? 'must be a PKCS#8 PEM private key ("BEGIN PRIVATE KEY"), a JWK or a CryptoKey: this runtime has no node:crypto to read PKCS#1, SEC1 or other forms'
      : 'must be an SPKI PEM public key ("BEGIN PUBLIC KEY"), a JWK or a CryptoKey, or omitted: this runtime has no node:crypto to read PKCS#1 or OpenSSH keys',
  );
}

/**
 * `promise`, marked as handled. Imports start in the constructor and whoever needs one awaits it
 * (signing, verification, `ready()`); one that nobody awaits (the constructor threw after it
 * started, or an earlier key failed first) must not become an unhandled rejection.
 */
function handled<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}

/** The DER bytes of the first PEM block with exactly this label, or `undefined`. */
function pemBody(text: string, label: string): Uint8Array<ArrayBuffer> | undefined {
  const match = new RegExp(`-----BEGIN ${label}-----([A-Za-z0-9+/=\\s]+)-----END ${label}-----`).exec(text);
  return match === null ? undefined : attempt(() => Uint8Array.from(atob((match[1] ?? "").replace(/\s+/g, "")), (char) => char.charCodeAt(0)));
}
