import { compactVerify, type FlattenedJWSInput, type CryptoKey, type KeyObject as JoseKeyObject } from "jose";
import type { KeyObject } from "node:crypto";
import { decodeSegment } from "../jws/decodeSegment.js";
import type { AuthType } from "../jws/algorithms.js";
import { nativeVerify, signatureLength, type NativeCheck } from "../keys/nativeVerify.js";

/** A compact JWS whose signature verified: its protected header and its payload bytes, as jose returns them. */
export interface VerifiedJws {
  readonly protectedHeader: object;
  readonly payload: Uint8Array;
}

/**
 * The signature step for one pinned algorithm: the verified header and payload, or `undefined` for
 * any refusal (bad signature, another algorithm, an unknown `kid`, a signature of the wrong
 * length); never throws. Synchronous on node:crypto, a promise on the jose fallback. The input
 * must already have passed `isCompactJws`.
 */
export type SignatureStep = (signed: string) => VerifiedJws | undefined | Promise<VerifiedJws | undefined>;

/** A key in the forms the step uses: a KeyObject for node:crypto, and what jose takes (`ImportedKey` is one). */
export interface VerificationKey {
  /** The verification key as node:crypto holds it; absent on a runtime without node:crypto. */
  readonly keyObject?: KeyObject | undefined;
  /** The same key for jose (a CryptoKey, a KeyObject, or HMAC secret bytes), or a promise of it. */
  readonly joseKey: CryptoKey | JoseKeyObject | Uint8Array | Promise<CryptoKey | JoseKeyObject | Uint8Array>;
}

/** Several keys, one picked by the token's `kid` (a manager's `KeyRing`): jose's key resolver, with its keys listed. */
export interface KeyResolver {
  /** Every key it may pick: each gets its node:crypto check once, up front. */
  readonly verifying: readonly VerificationKey[];
  /** The key for a header's own `kid` (undefined when it names none), or undefined for an unknown one. */
  select(kid: unknown): VerificationKey | undefined;
}

// A manager's tokens share one header or a few (one per kid): parsed headers of tokens whose
// signature verified are kept by their exact text. Only a verified header gets in, so a caller
// without a key cannot fill it.
const MAX_HEADERS = 16;

/**
 * The one signature step of verification, and nothing else (claims are not looked at), as jose's
 * `compactVerify` takes it: `alg` pinned, and a key, or a key resolver that picks one by the
 * header's `kid` (the current key when it names none). A lone key is the one the caller chose
 * (by `kid`, from a remote key set): the header's `kid` is not compared again.
 *
 * On Node, node:crypto's one-shot primitives check the signature synchronously (`nativeVerify`),
 * after what `compactVerify` checks, in its order: the header strict UTF-8 JSON of an object
 * whose own `alg` is the pinned one, no `crit` (jose accepts `crit: ["b64"]`, and the claim check
 * refuses it after), its own `kid` picking the key. Where node:crypto is missing, or a key has no
 * KeyObject, jose's `compactVerify` does it all. Both refuse a signature of another length than
 * the algorithm's (`signatureLength`), and `test/nativeVerify.test.ts` holds them to the same
 * decision on every token. Throws `TypeError` for a key that cannot be `alg`'s.
 *
 * @example
 * ```ts
 * const step = createSignatureStep("ES256", ring); // or (alg, { keyObject, joseKey }) for one key
 * const verified = isCompactJws(token, 8192) ? await step(token) : undefined;
 * ```
 */
export function createSignatureStep(alg: AuthType, keys: VerificationKey | KeyResolver): SignatureStep {
  // The resolver's select is called unbound below: a KeyRing's reads its private fields.
  const resolver: KeyResolver = "select" in keys ? { verifying: keys.verifying, select: (kid) => keys.select(kid) } : { verifying: [keys], select: () => keys };
  return nativeStep(alg, resolver) ?? joseStep(alg, resolver);
}

function nativeStep(alg: AuthType, { verifying, select }: KeyResolver): SignatureStep | undefined {
  const checks = new Map<VerificationKey, NativeCheck>();
  for (const key of verifying) {
    const check = key.keyObject === undefined ? undefined : nativeVerify(alg, key.keyObject);
    if (check === undefined) return undefined;
    checks.set(key, check);
  }
  const verifiedHeaders = new Map<string, { readonly header: Readonly<Record<string, unknown>>; readonly check: NativeCheck }>();
  // The check a header picks: none unless its own `alg` is the pinned one and it has no `crit`.
  const checkOf = (header: Readonly<Record<string, unknown>>) => {
    if (ownValue(header, "alg") !== alg || ownValue(header, "crit") !== undefined) return undefined;
    const key = select(ownValue(header, "kid"));
    return key === undefined ? undefined : checks.get(key);
  };
  return (signed) => {
    try {
      const headerEnd = signed.indexOf(".");
      const signatureStart = signed.lastIndexOf(".") + 1;
      const headerText = signed.slice(0, headerEnd);
      const known = verifiedHeaders.get(headerText);
      const header = known?.header ?? decodeSegment(headerText);
      const check = known?.check ?? (header === undefined ? undefined : checkOf(header));
      if (header === undefined || check === undefined || !check(signed.slice(0, signatureStart - 1), Buffer.from(signed.slice(signatureStart), "base64url")))
        return undefined;
      if (known === undefined && verifiedHeaders.size < MAX_HEADERS) verifiedHeaders.set(headerText, { header: Object.freeze(header), check });
      return { protectedHeader: header, payload: Buffer.from(signed.slice(headerEnd + 1, signatureStart - 1), "base64url") };
    } catch {
      return undefined; // fail closed, as jose's rejections are
    }
  };
}

function joseStep(alg: AuthType, { verifying, select }: KeyResolver): SignatureStep {
  const options = { algorithms: [alg] };
  const refused = () => undefined;
  // The native check's length rule, so both paths refuse the same tokens. Without node:crypto there
  // is no KeyObject to size an RSA key by: the runtime's Web Crypto decides.
  const fits = (key: VerificationKey, signed: string) => key.keyObject === undefined || signatureFits(signed, signatureLength(alg, key.keyObject));
  if (verifying.length === 1) {
    // One key: handed to jose directly (no resolver hop, and once imported no promise hop), then
    // the token's kid held to it by the resolver's own rule.
    const key = verifying[0] as VerificationKey;
    return (signed) => {
      if (!fits(key, signed)) return Promise.resolve(undefined);
      const joseKey = key.joseKey;
      const result = joseKey instanceof Promise ? joseKey.then((ready) => compactVerify(signed, ready, options)) : compactVerify(signed, joseKey, options);
      return result.then((verified) => (select(verified.protectedHeader.kid) === key ? verified : undefined), refused);
    };
  }
  const resolve = (header: { kid?: unknown }, jws: FlattenedJWSInput) => {
    const key = select(header.kid);
    if (key === undefined || !fits(key, `.${jws.signature}`)) throw new Error("unknown kid or wrong signature length");
    return key.joseKey;
  };
  return (signed) => compactVerify(signed, resolve, options).then((verified) => verified, refused);
}

/**
 * The native check's length rule for the jose fallback: the last segment (canonical base64url of
 * c characters, so floor(3c / 4) bytes) is `length` bytes.
 */
function signatureFits(signed: string, length: number): boolean {
  return Math.floor(((signed.length - signed.lastIndexOf(".") - 1) * 3) / 4) === length;
}

function ownValue(header: Readonly<Record<string, unknown>>, name: string): unknown {
  return Object.hasOwn(header, name) ? header[name] : undefined;
}
