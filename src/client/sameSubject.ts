import { decodeSegment } from "../jws/decodeSegment.js";

/**
 * Whether two tokens name the same user (`iss` and `sub` of their payloads, read without
 * verifying: the client only uses this to decide whether a failed call may be sent again with
 * a token someone else stored, never to trust anything). Tokens that cannot be read are never
 * the same. Module-internal.
 */
export function sameSubject(a: string | undefined, b: string | undefined): boolean {
  const first = subjectOf(a);
  return first !== undefined && first === subjectOf(b);
}

function subjectOf(token: string | undefined): string | undefined {
  const payload = token?.split(".")[1];
  const claims = payload === undefined ? undefined : decodeSegment(payload);
  if (claims === undefined) return undefined;
  const { iss, sub } = claims;
  return typeof sub === "string" ? JSON.stringify([iss ?? null, sub]) : undefined;
}
