const SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
// Final characters whose unused low bits are zero, for segments of length 4n+2 and 4n+3.
const CANONICAL_LAST_OF_2 = "AQgw";
const CANONICAL_LAST_OF_3 = "AEIMQUYcgkosw048";

/**
 * The strict gate every token passes before jose sees it: exactly three non-empty segments of
 * canonical base64url (no padding, no stray bits, nothing that decodes two ways), within
 * `maxLength` characters. JWE (five segments), whitespace and oversized input fail here, unread.
 */
export function isCompactJws(token: unknown, maxLength: number): token is string {
  if (typeof token !== "string" || token.length > maxLength || !SHAPE.test(token)) return false;
  let start = 0;
  for (let i = 0; i < 3; i++) {
    const end = i < 2 ? token.indexOf(".", start) : token.length;
    if (!isCanonicalSegment(token, start, end)) return false;
    start = end + 1;
  }
  return true;
}

function isCanonicalSegment(token: string, start: number, end: number): boolean {
  const rest = (end - start) % 4;
  if (rest === 0) return true;
  if (rest === 1) return false;
  const last = token[end - 1] as string;
  return (rest === 2 ? CANONICAL_LAST_OF_2 : CANONICAL_LAST_OF_3).includes(last);
}
