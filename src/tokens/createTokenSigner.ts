import { CompactSign } from "jose";
import type { ImportedKey } from "../keys/ImportedKey.js";
import { nativeSign } from "../keys/nativeSign.js";

/**
 * Signs a token's claims, given as their JSON text, into a compact JWS: synchronously on
 * node:crypto, a promise on the jose fallback.
 */
export type TokenSigner = (payload: string) => string | Promise<string>;

const base64url = (json: string) => Buffer.from(json).toString("base64url");
const UTF8 = new TextEncoder();

/**
 * The signing step of issuing, and nothing else: the header `{ alg, typ: "JWT", kid }` (no `kid`
 * for a key without one) and the payload as given (`JSON.stringify` of the claims, as jose's
 * `SignJWT` writes them), signed with `key`. On Node, node:crypto signs synchronously
 * (`nativeSign`) and the header is encoded once; where node:crypto is missing, jose's
 * `CompactSign` does it all. Both give jose's bytes (UTF-8, base64url, then the signature), which
 * `test/nativeSign.test.ts` checks for the deterministic algorithms (HMAC, RSA PKCS#1 v1.5, Ed25519).
 *
 * @example
 * ```ts
 * const sign = createTokenSigner(ring.signing);
 * const signed = await sign(JSON.stringify(claims)); // "eyJhbGciOiJFUzI1NiIs..."
 * ```
 */
export function createTokenSigner(key: ImportedKey): TokenSigner {
  const { alg, kid } = key;
  const header = kid === undefined ? { alg, typ: "JWT" } : { alg, typ: "JWT", kid };
  const sign = key.keyObject === undefined ? undefined : nativeSign(alg, key.keyObject);
  if (sign === undefined) return async (payload) => new CompactSign(UTF8.encode(payload)).setProtectedHeader(header).sign(await key.joseKey);
  const headerSegment = `${base64url(JSON.stringify(header))}.`;
  return (payload) => {
    const input = headerSegment + base64url(payload);
    return `${input}.${sign(input)}`;
  };
}
