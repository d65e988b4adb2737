import type { JwtToken } from "../../tokens/JwtToken.js";
import { headerValues, isWebSocket, type JwtContextOptions } from "../readCredential.js";
import { CSRF_HEADER } from "../../wire/cookies.js";
import type { CookieSettings } from "./cookieSettings.js";
import { urlOf } from "./urlOf.js";

/**
 * Why a token that came from a cookie may not be used on this request, or `undefined` when it
 * may: `"csrf"` or `"origin"` (both refused with 403 `CSRF_MISMATCH`). Module-internal.
 *
 * - WebSocket and SSE (a GET subscription) connections cannot send a header: their `Origin`,
 *   when sent, must be allowed (`cookies.allowedOrigins`, else the host the request was sent to).
 * - Any other method but GET needs `x-csrf-token` equal to the token's `csrf` claim, whatever
 *   the content type: a cross-site form can post multipart and octet-stream bodies too.
 * - No method at all (a context built from `{ headers }` for a server-side call): nothing to
 *   check; no browser sent it.
 *
 * @example
 * ```ts
 * if (crossSiteFailure(opts, token, settings.cookies) !== undefined) throw refused("CSRF_MISMATCH", "csrf");
 * ```
 */
export function crossSiteFailure(opts: JwtContextOptions, token: JwtToken, cookies: CookieSettings | undefined): "csrf" | "origin" | undefined {
  const { req } = opts;
  const method = methodOf(req);
  if (isWebSocket(opts) || (opts.info?.type === "subscription" && method === "GET")) {
    return isAllowedOrigin(req, cookies?.allowedOrigins) ? undefined : "origin";
  }
  if (method === undefined || method === "GET") return undefined;
  const sent = headerValues(req, CSRF_HEADER);
  const expected = token.claims.csrf;
  return sent.length === 1 && typeof expected === "string" && sameText(sent[0] as string, expected) ? undefined : "csrf";
}

function methodOf(req: JwtContextOptions["req"]): string | undefined {
  const { method } = req as { method?: unknown };
  return typeof method === "string" ? method.toUpperCase() : undefined;
}

// A missing Origin is allowed: a same-origin EventSource sends none, and no browser omits it on
// a cross-origin WebSocket or fetch. Without a list, the Origin's host must be the one the
// request was sent to (the scheme is not compared: TLS often ends at a proxy).
function isAllowedOrigin(req: JwtContextOptions["req"], allowed: ReadonlySet<string> | undefined): boolean {
  const origins = headerValues(req, "origin");
  if (origins.length === 0) return true;
  if (origins.length > 1) return false;
  const origin = origins[0] as string;
  if (allowed !== undefined) return allowed.has(origin);
  const hosts = headerValues(req, "host");
  const host = hosts.length === 1 ? hosts[0] : urlOf((req as { url?: unknown }).url)?.host;
  return host !== undefined && urlOf(origin)?.host === host.toLowerCase();
}

// Compares every character, so the time taken does not tell how much of a guess was right.
function sameText(a: string, b: string): boolean {
  let difference = a.length ^ b.length;
  for (let i = 0; i < b.length; i++) difference |= (a.charCodeAt(i) || 0) ^ b.charCodeAt(i);
  return difference === 0;
}
