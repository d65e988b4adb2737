import { compactVerify, type CryptoKey, type KeyObject as JoseKeyObject } from "jose";
import type { KeyObject } from "node:crypto";
import { nativeVerify, signatureLength, type JwsAlgorithm, type SignatureCheck } from "../keys/nativeVerify.js";

/** A compact JWS whose signature verified: its protected header and its payload bytes, as jose returns them. */
export interface VerifiedJws {
  readonly protectedHeader: object;
  readonly payload: Uint8Array;
}

/**
 * The signature step of verification for one pinned algorithm and key: the verified header and
 * payload, or `undefined` for any refusal. Synchronous on Node (node:crypto), a promise on the jose
 * fallback. The input must already have passed `isCompactJws`.
 */
export type JwsVerifier = (signed: string) => VerifiedJws | undefined | Promise<VerifiedJws | undefined>;

/** A key in the forms the verifier uses: a KeyObject for node:crypto, and what jose takes. */
export interface VerificationKey {
  /** The verification key as node:crypto holds it; absent on a runtime without node:crypto. */
  readonly keyObject?: KeyObject | undefined;
  /** The same key for jose (a CryptoKey, a KeyObject, or HMAC secret bytes), or a promise of it. */
  readonly joseKey: CryptoKey | JoseKeyObject | Uint8Array | Promise<CryptoKey | JoseKeyObject | Uint8Array>;
}

// As jose decodes the header: strict UTF-8, a leading byte-order mark dropped.
const HEADER_UTF8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Builds the signature step: node:crypto's one-shot verification where the runtime has it (see
 * `nativeVerify`), else jose's `compactVerify`. Both pin `alg`, and a differential test
 * (`test/nativeVerify.test.ts`) holds them to the same decision on every token.
 *
 * @example
 * ```ts
 * const verifyJws = createJwsVerifier("ES256", { keyObject: publicKey, joseKey: publicKey });
 * const verified = isCompactJws(token, 8192) ? await verifyJws(token) : undefined;
 * ```
 */
export function createJwsVerifier(alg: JwsAlgorithm, key: VerificationKey): JwsVerifier {
  const check = key.keyObject === undefined ? undefined : nativeVerify(alg, key.keyObject);
  if (check !== undefined) return (signed) => verifyNative(signed, alg, check);
  const options = { algorithms: [alg] };
  const refused = () => undefined;
  // The native check's length rule, where the key's size is known (on Node): a canonical
  // base64url segment of c characters decodes to floor(3c / 4) bytes.
  const length = key.keyObject === undefined ? undefined : signatureLength(alg, key.keyObject);
  const sizeFits = (signed: string) => length === undefined || Math.floor(((signed.length - signed.lastIndexOf(".") - 1) * 3) / 4) === length;
  // Once imported, the key is passed directly: no extra promise hop per call.
  let joseKey = key.joseKey;
  if (joseKey instanceof Promise) joseKey.then((resolved) => (joseKey = resolved), refused);
  return (signed) => {
    if (!sizeFits(signed)) return Promise.resolve(undefined);
    const current = joseKey;
    return (current instanceof Promise ? current.then((resolved) => compactVerify(signed, resolved, options)) : compactVerify(signed, current, options)).then((verified) => verified, refused);
  };
}

/**
 * What jose's compactVerify checks, in its order, for one pinned algorithm: the header is strict
 * UTF-8 JSON of an object whose own `alg` is the pinned one, then the signature over the token up to
 * its last dot. A `crit` header is refused outright (jose accepts `b64` there, and `readClaims`
 * refuses it after): no extension changes what is signed.
 */
function verifyNative(signed: string, alg: JwsAlgorithm, check: SignatureCheck): VerifiedJws | undefined {
  const headerEnd = signed.indexOf(".");
  const signatureStart = signed.lastIndexOf(".") + 1;
  let header: unknown;
  try {
    header = JSON.parse(HEADER_UTF8.decode(Buffer.from(signed.slice(0, headerEnd), "base64url")));
  } catch {
    return undefined;
  }
  if (typeof header !== "object" || header === null || Array.isArray(header)) return undefined;
  if (!Object.hasOwn(header, "alg") || (header as { alg: unknown }).alg !== alg || Object.hasOwn(header, "crit")) return undefined;
  if (!check(signed.slice(0, signatureStart - 1), Buffer.from(signed.slice(signatureStart), "base64url"))) return undefined;
  return { protectedHeader: header, payload: Buffer.from(signed.slice(headerEnd + 1, signatureStart - 1), "base64url") };
}
