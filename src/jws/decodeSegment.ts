// As jose decodes a header: strict UTF-8, a leading byte-order mark dropped.
const UTF8 = new TextDecoder("utf-8", { fatal: true });

/**
 * The JSON object in one segment of a compact JWT (its header or payload), read without checking
 * anything: for choosing a key or an issuer before verification, never for trusting a claim.
 * `undefined` unless the segment is base64url of strict UTF-8 JSON of an object (not an array).
 * Decoded as jose decodes base64url (`atob`, `-_` for `+/`, whitespace ignored), with no
 * node:crypto or Buffer, so the browser entry uses it too.
 *
 * @example
 * ```ts
 * decodeSegment(token.slice(0, token.indexOf(".")))?.["kid"]; // the unverified kid
 * ```
 */
export function decodeSegment(segment: string): Readonly<Record<string, unknown>> | undefined {
  let value: unknown;
  try {
    const binary = atob(segment.replace(/-/g, "+").replace(/_/g, "/").replace(/\s/g, ""));
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    value = JSON.parse(UTF8.decode(bytes));
  } catch {
    return undefined;
  }
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}
