import { defaultCookieName, type CookieRole } from "../wire/cookies.js";

/**
 * The value of the cookie `name` as scripts see it (`document.cookie`), or `undefined` when
 * there is none, no document (server rendering, workers), the name appears twice, or its value is
 * not valid percent-encoding (the server never writes one: a cookie planted by a sibling subdomain).
 *
 * @example
 * ```ts
 * documentCookie("__Host-csrf"); // "mT3l..." after a cookie login
 * ```
 */
export function documentCookie(name: string): string | undefined {
  const jar = (globalThis as { document?: { cookie?: unknown } }).document?.cookie;
  if (typeof jar !== "string") return undefined;
  let found: string | undefined;
  for (const pair of jar.split(";")) {
    const eq = pair.indexOf("=");
    if (eq < 0 || pair.slice(0, eq).trim() !== name) continue;
    if (found !== undefined) return undefined;
    found = pair.slice(eq + 1).trim();
  }
  if (found === undefined || found === "") return undefined;
  try {
    return decodeURIComponent(found);
  } catch {
    return undefined;
  }
}

/**
 * Reads a session cookie from the document: `name` when given, else the server's default name for
 * `role` (the `__Host-` one, then the plain-http development one). Module-internal.
 */
export function sessionCookie(role: CookieRole, name: string | undefined): () => string | undefined {
  const names = name === undefined ? [defaultCookieName(role, true), defaultCookieName(role, false)] : [name];
  return () => names.map((each) => documentCookie(each)).find((value) => value !== undefined);
}
