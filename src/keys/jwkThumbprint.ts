import type { KeyObject } from "node:crypto";
import { nodeCrypto } from "./nodeCrypto.js";

// RFC 7638 section 3.2: only the required members, in lexicographic order.
const REQUIRED_MEMBERS: Readonly<Record<string, readonly string[]>> = {
  RSA: ["e", "kty", "n"],
  EC: ["crv", "kty", "x", "y"],
  OKP: ["crv", "kty", "x"],
};

/**
 * The RFC 7638 JWK thumbprint (SHA-256, base64url) of a public key: the default `kid`.
 *
 * @example
 * ```ts
 * jwkThumbprint(createPublicKey(pem)); // "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
 * ```
 */
export function jwkThumbprint(publicKey: KeyObject): string {
  const jwk = publicKey.export({ format: "jwk" }) as Record<string, unknown>;
  const members = REQUIRED_MEMBERS[String(jwk["kty"])] ?? [];
  const canonical = JSON.stringify(Object.fromEntries(members.map((name) => [name, jwk[name]])));
  // Only called where node:crypto exists (the key is a KeyObject).
  return (nodeCrypto as NonNullable<typeof nodeCrypto>).createHash("sha256").update(canonical).digest("base64url");
}
