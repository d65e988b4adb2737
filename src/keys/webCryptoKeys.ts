import type { KeyInput } from "./KeyInput.js";
import { JwtConfigError } from "../errors.js";
import { ALGORITHM_PARAMS, type AuthType } from "../jws/algorithms.js";
import { ImportedKey } from "./ImportedKey.js";
import { notThePair, wrongHalf, type KeyBackend } from "./KeyBackend.js";
import { publicHalf } from "./publicHalf.js";

type ImportParams = Parameters<SubtleCrypto["importKey"]>[2];

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
  currentKeys({ authType: alg, secret, publicKey, keyId }, names) {
    const params = ALGORITHM_PARAMS[alg].webCrypto;
    const privateKey = secret === undefined ? undefined : readWithWebCrypto(secret, names.secret, "private", params);
    const givenPublic = publicKey === undefined ? undefined : readWithWebCrypto(publicKey, names.publicKey, "public", params);
    const checked = handled(
      (async () => {
        const jwk = privateKey === undefined ? undefined : await checkedJwk(privateKey, alg, names.secret);
        const given = givenPublic === undefined ? undefined : publicHalf(await checkedJwk(givenPublic, alg, names.publicKey));
        const publicJwk = jwk === undefined ? (given as JsonWebKey) : publicHalf(jwk);
        // Both are publicHalf's, whose members come in one fixed order.
        if (given !== undefined && JSON.stringify(publicJwk) !== JSON.stringify(given)) throw notThePair(names);
        const { ext: _ext, key_ops: _ops, ...signing } = jwk ?? {};
        return {
          publicJwk,
          sign: jwk === undefined ? undefined : await crypto.subtle.importKey("jwk", signing, params, false, ["sign"]),
          verify: await crypto.subtle.importKey("jwk", publicJwk, params, false, ["verify"]),
        };
      })(),
    );
    const signKey = privateKey === undefined ? undefined : checked.then((keys) => keys.sign as CryptoKey);
    const verifyKey = checked.then((keys) => keys.verify);
    return {
      signing: signKey === undefined ? undefined : new ImportedKey(keyId, alg, signKey, ["sign"]),
      current: { key: new ImportedKey(keyId, alg, verifyKey, ["verify"]), jwk: handled(checked.then((keys) => keys.publicJwk)) },
    };
  },
};

/** Starts an extractable import of one key form Web Crypto reads; refuses the others now. */
function readWithWebCrypto(value: KeyInput, option: string, half: "private" | "public", params: ImportParams): Promise<CryptoKey> {
  const usages: KeyUsage[] = half === "private" ? ["sign"] : ["verify"];
  const refuse = () => Promise.reject(new JwtConfigError(option, `must be a ${half} key for this algorithm`));
  if (value instanceof CryptoKey) {
    if (value.type !== half) throw wrongHalf(option, half);
    return handled(crypto.subtle.exportKey("jwk", value).then((jwk) => crypto.subtle.importKey("jwk", jwk, params, true, usages), refuse));
  }
  if (typeof value === "object" && !(value instanceof Uint8Array)) {
    if ("d" in value !== (half === "private")) throw wrongHalf(option, half);
    return handled(crypto.subtle.importKey("jwk", value as JsonWebKey, params, true, usages).catch(refuse));
  }
  const text = (typeof value === "string" ? value : new TextDecoder().decode(value)).replace(/\\n/g, "\n");
  const privateDer = pemBody(text, "PRIVATE KEY");
  const publicDer = pemBody(text, "PUBLIC KEY");
  if (half === "private" && privateDer === undefined) {
    throw new JwtConfigError(
      option,
      publicDer !== undefined
        ? "is a public key; the private key belongs here"
        : 'must be a PKCS#8 PEM private key ("BEGIN PRIVATE KEY"), a JWK or a CryptoKey: this runtime has no node:crypto to read PKCS#1, SEC1 or other forms',
    );
  }
  if (half === "public" && (privateDer !== undefined || text.includes("PRIVATE KEY-----"))) throw wrongHalf(option, "public");
  if (half === "public" && publicDer === undefined) {
    throw new JwtConfigError(
      option,
      'must be an SPKI PEM public key ("BEGIN PUBLIC KEY"), a JWK or a CryptoKey, or omitted: this runtime has no node:crypto to read PKCS#1 or OpenSSH keys',
    );
  }
  return handled(
    crypto.subtle.importKey(half === "private" ? "pkcs8" : "spki", (privateDer ?? publicDer) as Uint8Array<ArrayBuffer>, params, true, usages).catch(refuse),
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

/** The imported key as a JWK, after the checks node:crypto would have made at construction. */
async function checkedJwk(key: Promise<CryptoKey>, alg: AuthType, option: string): Promise<JsonWebKey> {
  const imported = await key;
  const bits = (imported.algorithm as Partial<RsaHashedKeyAlgorithm>).modulusLength;
  const { minRsaBits } = ALGORITHM_PARAMS[alg];
  if (bits !== undefined && minRsaBits !== undefined && bits < minRsaBits)
    throw new JwtConfigError(option, `must be an RSA key of at least ${minRsaBits} bits`);
  // The curve and family were fixed by the import parameters: another curve does not import.
  return crypto.subtle.exportKey("jwk", imported);
}

/** The DER bytes of the first PEM block with exactly this label, or `undefined`. */
function pemBody(text: string, label: string): Uint8Array | undefined {
  const match = new RegExp(`-----BEGIN ${label}-----([A-Za-z0-9+/=\\s]+)-----END ${label}-----`).exec(text);
  if (match === null) return undefined;
  try {
    return Uint8Array.from(atob((match[1] ?? "").replace(/\s+/g, "")), (char) => char.charCodeAt(0));
  } catch {
    return undefined;
  }
}
