import type { KeyObject } from "node:crypto";
import type { KeyRing } from "../keys/KeyRing.js";
import { nodeCrypto } from "../keys/nodeCrypto.js";
import { base32, SECRET_BYTES } from "./apiKeyFormat.js";
import type { ApiKeySecrets } from "./ApiKeySecrets.js";

// Domain separation: an API key's secret is never a value the manager computes for anything
// else (a JWT's HMAC is over `header.payload`, never under this derived key).
const LABEL = "trpc-jwt api keys v2";

/**
 * The API key secrets of a key ring: each is an HMAC-SHA-256 of the key's id under a key derived
 * from the manager's own material and its `issuer` (so a manager with the same material and
 * another issuer refuses the key, as it refuses the other's JWTs): the signing key (the HMAC secret, or the private key), then
 * each previous HMAC secret, or previous private key given as `previousKeys[i].secret`, so keys
 * made before a rotation stay valid until revoked. A previous key given by its public key alone
 * cannot keep them: no secret can be derived from it.
 * Undefined where there is no node:crypto (API keys then verify as invalid and cannot be made).
 *
 * @example
 * ```ts
 * const secrets = apiKeySecretsOf(ring, "https://api.example.com");
 * secrets?.matches(id, secret);
 * ```
 */
export function apiKeySecretsOf(ring: KeyRing, issuer: string): ApiKeySecrets | undefined {
  const node = nodeCrypto;
  if (node === undefined) return undefined;
  const materials: KeyObject[] = [];
  if (ring.signing?.keyObject !== undefined) materials.push(ring.signing.keyObject);
  for (const key of ring.verifying) if (key.keyObject?.type === "secret" && !materials.includes(key.keyObject)) materials.push(key.keyObject);
  for (const key of ring.retired) if (key.keyObject !== undefined) materials.push(key.keyObject);
  const derived = materials.map((material) => {
    const bytes = material.type === "secret" ? material.export() : material.export({ type: "pkcs8", format: "der" });
    // NUL ends the fixed label, which never contains one: the issuer follows it unambiguously.
    return node.createHmac("sha256", bytes).update(LABEL).update("\u0000").update(issuer).digest();
  });
  const secretUnder = (key: Uint8Array, id: string) => base32(node.createHmac("sha256", key).update(id).digest().subarray(0, SECRET_BYTES));
  const signing = ring.signing === undefined ? undefined : derived[0];
  return {
    secretOf: (id) => (signing === undefined ? undefined : secretUnder(signing, id)),
    matches(id, secret) {
      const given = Buffer.from(secret);
      return derived.some((key) => node.timingSafeEqual(Buffer.from(secretUnder(key, id)), given));
    },
  };
}
