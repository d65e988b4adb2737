import { JwtConfigError } from "../errors.js";

// Loopback hosts may use plain http: tests and an identity provider on the same machine.
const LOOPBACK = /^(localhost|[^.]+\.localhost|127(\.\d{1,3}){3}|\[::1\])$/i;

/**
 * Parses `value` as an absolute `https:` URL, or `http:` on a loopback host. Anything else (plain
 * http to another host, credentials in the URL, a fragment) throws `JwtConfigError` naming `option`.
 *
 * @example
 * ```ts
 * secureUrl("https://idp.example.com/jwks", "jwksUri"); // URL
 * secureUrl("http://idp.example.com/jwks", "jwksUri");  // JwtConfigError: jwksUri: must be an https: URL ...
 * ```
 */
export function secureUrl(value: unknown, option: string): URL {
  let url: URL;
  try {
    url = new URL(typeof value === "string" || value instanceof URL ? value : "");
  } catch {
    throw new JwtConfigError(option, "must be an absolute URL");
  }
  if (url.protocol !== "https:" && !(url.protocol === "http:" && LOOPBACK.test(url.hostname))) {
    throw new JwtConfigError(option, "must be an https: URL (http: only on a loopback host)");
  }
  if (url.username !== "" || url.password !== "" || url.hash !== "") throw new JwtConfigError(option, "must not carry credentials or a fragment");
  return url;
}
