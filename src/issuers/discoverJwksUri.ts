import { JwtConfigError, JwtError } from "../errors.js";
import { isJsonObject } from "../tokens/json.js";
import { fetchJson } from "./fetchJson.js";
import { secureUrl } from "./secureUrl.js";

// Metadata documents are a few kilobytes; Entra ID's, the largest, about 2.
const MAX_METADATA_BYTES = 64 * 1024;

/**
 * The `jwks_uri` of an issuer, read from its OpenID Connect discovery document
 * (`<issuer>/.well-known/openid-configuration`), else from its RFC 8414 OAuth metadata
 * (`https://host/.well-known/oauth-authorization-server/<path>`). The document's `issuer` must
 * equal `issuer` exactly (OpenID Discovery 4.3, RFC 8414 3.3): a document for another issuer is
 * `JwtConfigError("issuer")`. No document at all: `JwtError("KEYS_UNAVAILABLE")`.
 *
 * @example
 * ```ts
 * const jwksUri = await discoverJwksUri("https://idp.example.com/", 5000);
 * ```
 */
export async function discoverJwksUri(issuer: string, timeoutMs: number): Promise<URL> {
  const base = secureUrl(issuer, "issuer");
  if (base.search !== "") throw new JwtConfigError("issuer", "must not carry a query");
  const path = base.pathname.replace(/\/$/, "");
  const candidates = [new URL(`${path}/.well-known/openid-configuration`, base), new URL(`/.well-known/oauth-authorization-server${path}`, base)];
  for (const url of candidates) {
    let metadata: unknown;
    try {
      metadata = await fetchJson(url, { signal: AbortSignal.timeout(timeoutMs), maxBytes: MAX_METADATA_BYTES });
    } catch {
      continue;
    }
    if (!isJsonObject(metadata)) continue;
    if (metadata["issuer"] !== issuer) throw new JwtConfigError("issuer", "does not equal the issuer in the provider's metadata");
    return secureUrl(metadata["jwks_uri"], "jwks_uri");
  }
  throw new JwtError("KEYS_UNAVAILABLE");
}
