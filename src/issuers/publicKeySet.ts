import type { JSONWebKeySet } from "jose";
import { isJsonObject } from "../tokens/json.js";

// Members that only a private or secret key has (RFC 7518 section 6, RFC 8037 `d`).
const PRIVATE_MEMBERS = ["d", "p", "q", "dp", "dq", "qi", "oth", "k", "priv"];

/**
 * The key set in a JWKS document, or `undefined` when the document cannot be trusted at all: not
 * a `{ keys: [...] }` object, or holding a symmetric (`oct`) key or any private key member. A
 * provider that publishes a secret has leaked it, so none of its keys are used, not even the
 * public ones beside it.
 *
 * @example
 * ```ts
 * publicKeySet({ keys: [{ kty: "RSA", n, e, kid: "k1" }] }); // the set
 * publicKeySet({ keys: [{ kty: "oct", k: "c2VjcmV0" }] });    // undefined
 * ```
 */
export function publicKeySet(document: unknown): JSONWebKeySet | undefined {
  if (!isJsonObject(document) || !Array.isArray(document["keys"])) return undefined;
  const keys = document["keys"] as readonly unknown[];
  for (const key of keys) {
    if (!isJsonObject(key) || typeof key["kty"] !== "string" || key["kty"] === "oct") return undefined;
    if (PRIVATE_MEMBERS.some((member) => Object.hasOwn(key, member))) return undefined;
  }
  return { keys: keys as JSONWebKeySet["keys"] };
}
