import type { AuthType } from "../jws/algorithms.js";
import type { NativeCheck } from "../keys/nativeVerify.js";

/** A compact JWS whose signature verified: its protected header and its payload bytes, as jose returns them. */
export interface VerifiedJws {
  readonly protectedHeader: object;
  readonly payload: Uint8Array;
}

/** The native signature step for one pinned algorithm: the verified header and payload, or undefined. */
export type NativeJwsVerifier = (signed: string) => VerifiedJws | undefined;

// As jose decodes the header: strict UTF-8, a leading byte-order mark dropped.
const HEADER_UTF8 = new TextDecoder("utf-8", { fatal: true });
// A manager's tokens share one header or a few (one per kid): parsed headers of tokens whose
// signature verified are kept by their exact text. Only a verified header gets in, so a caller
// without a key cannot fill it.
const MAX_HEADERS = 16;

/**
 * The native signature step: what jose's `compactVerify` checks, in its order, for one pinned
 * algorithm, with node:crypto doing the cryptography. The header must be strict UTF-8 JSON of an
 * object whose own `alg` is the pinned one; its own `kid` picks the key (`checkFor`, undefined for
 * an unknown kid); then one signature check over the token up to its last dot. A `crit` header is
 * refused outright (jose accepts `crit: ["b64"]`, and `readClaims` refuses it after). Undefined
 * for any refusal. A token must have passed `isCompactJws` (three canonical base64url segments).
 *
 * @example
 * ```ts
 * const verifyJws = nativeJwsVerifier("ES256", (kid) => (kid === undefined ? check : undefined));
 * const verified = verifyJws(signed);
 * ```
 */
export function nativeJwsVerifier(alg: AuthType, checkFor: (kid: unknown) => NativeCheck | undefined): NativeJwsVerifier {
  const verifiedHeaders = new Map<string, VerifiedHeader>();
  // The check a header picks: none unless its own `alg` is the pinned one and it has no `crit`.
  const checkOf = (header: Readonly<Record<string, unknown>>) =>
    ownValue(header, "alg") !== alg || ownValue(header, "crit") !== undefined ? undefined : checkFor(ownValue(header, "kid"));
  return (signed) => {
    const headerEnd = signed.indexOf(".");
    const signatureStart = signed.lastIndexOf(".") + 1;
    const headerText = signed.slice(0, headerEnd);
    const known = verifiedHeaders.get(headerText);
    const header = known?.header ?? parseHeader(headerText);
    const check = known?.check ?? (header === undefined ? undefined : checkOf(header));
    if (header === undefined || check === undefined || !check(signed.slice(0, signatureStart - 1), Buffer.from(signed.slice(signatureStart), "base64url")))
      return undefined;
    if (known === undefined && verifiedHeaders.size < MAX_HEADERS) verifiedHeaders.set(headerText, { header: Object.freeze(header), check });
    return { protectedHeader: header, payload: Buffer.from(signed.slice(headerEnd + 1, signatureStart - 1), "base64url") };
  };
}

/** A header whose token verified, and the check it picked (the ring does not change). */
interface VerifiedHeader {
  readonly header: Readonly<Record<string, unknown>>;
  readonly check: NativeCheck;
}

/** A JSON object, as jose's header parser accepts it, or undefined. */
function parseHeader(text: string): Record<string, unknown> | undefined {
  let header: unknown;
  try {
    header = JSON.parse(HEADER_UTF8.decode(Buffer.from(text, "base64url")));
  } catch {
    return undefined;
  }
  return typeof header === "object" && header !== null && !Array.isArray(header) ? (header as Record<string, unknown>) : undefined;
}

function ownValue(header: Readonly<Record<string, unknown>>, name: string): unknown {
  return Object.hasOwn(header, name) ? header[name] : undefined;
}
