// Header parameters we accept; `x5t` is a thumbprint hint some providers add (Entra ID). Anything
// else (jku, jwk, x5u, x5c, crit, b64, ...) is refused: keys come from the JWKS, never the token.
const HEADER_PARAMS = new Set(["alg", "typ", "kid", "x5t"]);

/**
 * Whether the signature-verified header of an identity provider's token has only the parameters
 * we accept and a `typ` that is one of `types` (lower case), or absent unless `typRequired`,
 * compared case-insensitively as media types are (RFC 7515 section 4.1.9). Shared by the
 * access-token and logout-token checks, so that each names only its types.
 *
 * @example
 * ```ts
 * isAcceptedHeader({ alg: "RS256", typ: "logout+jwt" }, new Set(["logout+jwt"])); // true
 * ```
 */
export function isAcceptedHeader(header: object, types: ReadonlySet<string>, typRequired = false): boolean {
  for (const param of Object.keys(header)) if (!HEADER_PARAMS.has(param)) return false;
  const typ = Object.hasOwn(header, "typ") ? (header as { typ: unknown }).typ : undefined;
  if (typ === undefined) return !typRequired;
  return typeof typ === "string" && types.has(typ.toLowerCase());
}
