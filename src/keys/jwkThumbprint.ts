import type { KeyObject } from "node:crypto";
import { nodeCrypto } from "./nodeCrypto.js";
import { publicHalf } from "./publicHalf.js";

/**
 * The RFC 7638 JWK thumbprint (SHA-256, base64url) of a public key: the default `kid`.
 *
 * @example
 * ```ts
 * jwkThumbprint(createPublicKey(pem)); // "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
 * ```
 */
export function jwkThumbprint(publicKey: KeyObject): string {
  // RFC 7638 section 3.2: only the required members (`kty` and the public ones), in lexicographic order.
  const jwk = publicHalf(publicKey.export({ format: "jwk" }) as JsonWebKey);
  const canonical = JSON.stringify(jwk, Object.keys(jwk).sort());
  // Only called where node:crypto exists (the key is a KeyObject).
  return (nodeCrypto as NonNullable<typeof nodeCrypto>).createHash("sha256").update(canonical).digest("base64url");
}
