import { stringifySetCookie } from "cookie";
import { JwtConfigError } from "../../errors.js";
import type { TokenPair } from "../../sessions/Sessions.js";
import type { JwtToken } from "../../tokens/JwtToken.js";
import { expiryHint } from "../../wire/cookies.js";
import type { CookieSettings } from "./cookieSettings.js";

// Shorter values would be guessable; `auth.login` makes 22+ characters.
const MIN_CSRF_LENGTH = 16;

/**
 * The `Set-Cookie` values for a token pair: the auth and refresh tokens HttpOnly, the csrf
 * value and the auth token's expiry readable by scripts. Each lives as long as its token
 * (`Max-Age` from `exp` by the issuer's clock, `nowSeconds`); the csrf and expiry cookies as long
 * as the refresh token, so a page can tell "expired, refresh" from "logged out". Throws
 * `JwtConfigError` for a pair that cannot be a cookie session. Module-internal.
 *
 * @example
 * ```ts
 * for (const value of sessionCookies(settings, await auth.login("alice"), () => now)) res.appendHeader("set-cookie", value);
 * ```
 */
export function sessionCookies(settings: CookieSettings, tokens: TokenPair, nowSeconds: (token: JwtToken) => number): string[] {
  const { authToken, refreshToken } = tokens ?? {};
  if (authToken?.tokenType !== "auth" || refreshToken?.tokenType !== "refresh") {
    throw new JwtConfigError("setTokens", "takes { authToken, refreshToken }, an auth and a refresh JwtToken (what auth.login and auth.rotate return)");
  }
  const csrf = authToken.claims.csrf;
  if (typeof csrf !== "string" || csrf.length < MIN_CSRF_LENGTH || refreshToken.claims.csrf !== csrf) {
    throw new JwtConfigError("setTokens", "both tokens need the same csrf claim: issue them with auth.login or auth.rotate");
  }
  const { names } = settings;
  const attributes = (token: JwtToken, httpOnly: boolean) => ({ ...baseAttributes(settings), httpOnly, maxAge: Math.max(0, token.exp - nowSeconds(token)) });
  return [
    stringifySetCookie(names.auth, authToken.signed, attributes(authToken, true)),
    stringifySetCookie(names.refresh, refreshToken.signed, attributes(refreshToken, true)),
    stringifySetCookie(names.csrf, csrf, attributes(refreshToken, false)),
    stringifySetCookie(names.expires, expiryHint(authToken.exp, authToken.jti), attributes(refreshToken, false)),
  ];
}

/**
 * The `Set-Cookie` values that delete every cookie of the session (same attributes, `Max-Age=0`).
 * Module-internal.
 *
 * @example
 * ```ts
 * clearingCookies(settings); // ["__Host-auth=; Max-Age=0; Path=/; Expires=...; HttpOnly; Secure; SameSite=Lax", ...]
 * ```
 */
export function clearingCookies(settings: CookieSettings): string[] {
  const { names } = settings;
  const gone = { ...baseAttributes(settings), maxAge: 0, expires: new Date(0) };
  return [
    stringifySetCookie(names.auth, "", { ...gone, httpOnly: true }),
    stringifySetCookie(names.refresh, "", { ...gone, httpOnly: true }),
    stringifySetCookie(names.csrf, "", gone),
    stringifySetCookie(names.expires, "", gone),
  ];
}

// __Host- cookies must be Secure, have Path=/ and no Domain: these hold for every name.
function baseAttributes({ secure, sameSite }: CookieSettings) {
  return { path: "/", secure, sameSite } as const;
}
