import type { JSONWebKeySet } from "jose";
import { JwtConfigError } from "../errors.js";
import { copyJson } from "../tokens/json.js";
import { publicKeySet } from "./publicKeySet.js";
import { secureUrl } from "./secureUrl.js";

/**
 * Where a `RemoteIssuer`'s keys come from: exactly one of `jwksUri` (a secure URL) and `keys` (a
 * JWK Set of public asymmetric keys, checked here as strictly as a fetched one); else
 * `JwtConfigError` naming the option.
 *
 * @example
 * ```ts
 * const source = keySourceOf({ jwksUri: "https://idp.example.com/jwks" });
 * ```
 */
export function keySourceOf(options: { readonly jwksUri?: unknown; readonly keys?: unknown }): URL | JSONWebKeySet {
  const { jwksUri, keys } = options;
  if (keys === undefined) return secureUrl(jwksUri, "jwksUri");
  if (jwksUri !== undefined) throw new JwtConfigError("keys", "is given instead of jwksUri, not beside it");
  const set = publicKeySet(copyJson(keys));
  if (set === undefined) throw new JwtConfigError("keys", "must be a JWK Set ({ keys: [...] }) of public asymmetric keys: no private or symmetric key");
  if (set.keys.length === 0) throw new JwtConfigError("keys", "must hold at least one key");
  return set;
}
