import { JwtConfigError, JwtError } from "../errors.js";
import { isJsonObject } from "../tokens/json.js";
import { fetchJson, FetchJsonError } from "./fetchJson.js";
import { secureUrl } from "./secureUrl.js";

// Metadata documents are a few kilobytes; Entra ID's, the largest, about 2.
const MAX_METADATA_BYTES = 64 * 1024;
// Enough of a wrong issuer to recognise it; a hostile document cannot fill a log line.
const MAX_QUOTED = 200;

/**
 * The `jwks_uri` of an issuer, read from its OpenID Connect discovery document
 * (`<issuer>/.well-known/openid-configuration`), else from its RFC 8414 OAuth metadata
 * (`https://host/.well-known/oauth-authorization-server/<path>`). Both URLs are the issuer's
 * origin followed by a path, never a path resolved against it: an issuer path starting with `//`
 * (or `/\`) cannot point discovery at another host. The document's `issuer` must equal `issuer`
 * exactly (OpenID Discovery 4.3, RFC 8414 3.3): otherwise `JwtConfigError("issuer")` quoting
 * the document's. No document at all: `JwtError("KEYS_UNAVAILABLE")` whose message names the
 * origin and why each URL failed (`timeout`, `unreachable`, `status 404`, `too large`, `not JSON`).
 *
 * @example
 * ```ts
 * const jwksUri = await discoverJwksUri("https://idp.example.com/", 5000);
 * ```
 */
export async function discoverJwksUri(issuer: string, timeoutMs: number): Promise<URL> {
  const base = secureUrl(issuer, "issuer");
  if (base.search !== "") throw new JwtConfigError("issuer", "must not carry a query");
  const { origin } = base;
  const path = base.pathname.replace(/\/$/, "");
  const candidates = [`${path}/.well-known/openid-configuration`, `/.well-known/oauth-authorization-server${path}`];
  const failures: string[] = [];
  for (const candidate of candidates) {
    const url = new URL(`${origin}${candidate}`);
    if (url.origin !== origin) throw new JwtConfigError("issuer", `its metadata URL would leave ${origin}`);
    const metadata = await fetchJson(url, timeoutMs, MAX_METADATA_BYTES).catch((error: unknown) =>
      error instanceof FetchJsonError ? error : new FetchJsonError("unreachable"),
    );
    // A parsed document is never a FetchJsonError: that is a failure to fetch one.
    if (metadata instanceof FetchJsonError || !isJsonObject(metadata)) {
      failures.push(`${candidate}: ${metadata instanceof FetchJsonError ? metadata.problem : "not a JSON object"}`);
      continue;
    }
    if (metadata["issuer"] !== issuer) throw new JwtConfigError("issuer", `issuer mismatch: got ${quoted(metadata["issuer"])} in the metadata of ${origin}`);
    return secureUrl(metadata["jwks_uri"], "jwks_uri");
  }
  const error = new JwtError("KEYS_UNAVAILABLE");
  error.message = `${error.message}: no provider metadata from ${origin} (${failures.join("; ")})`;
  throw error;
}

/** A metadata value for a message: a string quoted, shortened and ASCII-escaped; else its kind. */
function quoted(value: unknown): string {
  if (typeof value !== "string") return value === undefined ? "no issuer" : `a ${value === null ? "null" : typeof value} issuer`;
  const text = value.length > MAX_QUOTED ? `${value.slice(0, MAX_QUOTED)}...` : value;
  return JSON.stringify(text).replace(/[^\x20-\x7e]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
