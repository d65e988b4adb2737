import type { AuthType } from "../config/options.js";
import type { NativeCheck } from "../keys/nativeVerify.js";

/** A compact JWS whose signature verified: its protected header and its payload bytes, as jose returns them. */
export interface VerifiedJws {
  readonly protectedHeader: object;
  readonly payload: Uint8Array;
}

// As jose decodes the header: strict UTF-8, a leading byte-order mark dropped.
const HEADER_UTF8 = new TextDecoder("utf-8", { fatal: true });

/**
 * The native signature step: what jose's `compactVerify` checks, in its order, for one pinned
 * algorithm, with node:crypto doing the cryptography. The header must be strict UTF-8 JSON of an
 * object whose own `alg` is the pinned one; its own `kid` picks the key (`checkFor`, undefined for
 * an unknown kid); then one signature check over the token up to its last dot. A `crit` header is
 * refused outright (jose accepts `crit: ["b64"]`, and `readClaims` refuses it after). Undefined
 * for any refusal. `signed` must have passed `isCompactJws` (three canonical base64url segments).
 *
 * @example
 * ```ts
 * const verified = verifyJwsNative(signed, "ES256", (kid) => (kid === undefined ? check : undefined));
 * ```
 */
export function verifyJwsNative(signed: string, alg: AuthType, checkFor: (kid: unknown) => NativeCheck | undefined): VerifiedJws | undefined {
  const headerEnd = signed.indexOf(".");
  const signatureStart = signed.lastIndexOf(".") + 1;
  let header: unknown;
  try {
    header = JSON.parse(HEADER_UTF8.decode(Buffer.from(signed.slice(0, headerEnd), "base64url")));
  } catch {
    return undefined;
  }
  if (typeof header !== "object" || header === null || Array.isArray(header)) return undefined;
  const own = (name: string) => (Object.hasOwn(header, name) ? (header as Record<string, unknown>)[name] : undefined);
  if (own("alg") !== alg || own("crit") !== undefined) return undefined;
  const check = checkFor(own("kid"));
  if (check === undefined || !check(signed.slice(0, signatureStart - 1), Buffer.from(signed.slice(signatureStart), "base64url"))) return undefined;
  return { protectedHeader: header, payload: Buffer.from(signed.slice(headerEnd + 1, signatureStart - 1), "base64url") };
}
