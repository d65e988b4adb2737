import { JwtConfigError } from "../../errors.js";
import { booleanOf, objectOf, oneOf, optionNames } from "../../options/validate.js";
import { isCookieName } from "../../wire/isCookieName.js";
import { defaultCookieName } from "../../wire/cookies.js";
import { urlOf } from "./urlOf.js";

/** The cookies' names; each has a default (see {@link JwtCookieOptions}). */
export interface JwtCookieNames {
  /** The auth token (HttpOnly). Default `"__Host-auth"`, or `"auth"` with `secure: false`. */
  readonly auth?: string | undefined;
  /** The refresh token (HttpOnly). Default `"__Host-refresh"`, or `"refresh"`. */
  readonly refresh?: string | undefined;
  /** The CSRF value scripts copy into `x-csrf-token`. Default `"__Host-csrf"`, or `"csrf"`. */
  readonly csrf?: string | undefined;
  /** The expiry hint: the auth token's `exp` (seconds), readable by scripts. Default `"__Host-auth-exp"`, or `"auth-exp"`. */
  readonly expires?: string | undefined;
}

/** The `cookies` option of `createJwtContext`: tokens in HttpOnly cookies, with CSRF protection. */
export interface JwtCookieOptions {
  /**
   * `Secure` cookies with the `__Host-` prefix (default `true`). `false` is for plain-http
   * development only: the names drop the prefix and the `Secure` flag.
   */
  readonly secure?: boolean | undefined;
  /** `SameSite` of every cookie. Default `"lax"`; `"none"` needs `secure`. */
  readonly sameSite?: "lax" | "strict" | "none" | undefined;
  /** Other names for the cookies. */
  readonly names?: JwtCookieNames | undefined;
  /**
   * Origins (`"https://app.example.com"`) whose pages may open cookie-authenticated WebSocket and
   * SSE connections, which cannot send a CSRF header. Default: the server's own origin, from `Host`.
   */
  readonly allowedOrigins?: readonly string[] | undefined;
}

/** The `cookies` option, validated. Module-internal. */
export interface CookieSettings {
  readonly secure: boolean;
  readonly sameSite: "lax" | "strict" | "none";
  readonly names: Required<{ readonly [K in keyof JwtCookieNames]: string }>;
  readonly allowedOrigins: ReadonlySet<string> | undefined;
}

const COOKIE_OPTIONS = optionNames<JwtCookieOptions>({ secure: true, sameSite: true, names: true, allowedOrigins: true });
const COOKIE_ROLES = optionNames<JwtCookieNames>({ auth: true, refresh: true, csrf: true, expires: true });
const SAME_SITE = ["lax", "strict", "none"] as const;
// Browsers drop a cookie whose name claims a prefix its attributes do not honour.
const PREFIXED = /^__(host|secure)-/i;

/**
 * Validates the `cookies` option once, at `createJwtContext`: a bad option throws
 * `JwtConfigError` naming it. Module-internal.
 *
 * @example
 * ```ts
 * cookieSettings({ secure: false }).names.auth; // "auth"
 * ```
 */
export function cookieSettings(options: JwtCookieOptions): CookieSettings {
  objectOf(options, "cookies", { names: COOKIE_OPTIONS, kind: "a cookies option", prefix: "cookies." });
  const { sameSite = "lax", names = {}, allowedOrigins } = options;
  const secure = booleanOf(options.secure, true, "cookies.secure");
  oneOf(sameSite, SAME_SITE, "cookies.sameSite", 'must be "lax", "strict" or "none"');
  objectOf(names, "cookies.names", { names: COOKIE_ROLES, kind: "a cookie (auth, refresh, csrf, expires)", prefix: "cookies.names." });
  if (sameSite === "none" && !secure) throw new JwtConfigError("cookies.sameSite", 'browsers refuse "none" without secure: true');
  const name = (key: keyof JwtCookieNames): string => {
    const value = names[key] ?? defaultCookieName(key, secure);
    if (!isCookieName(value)) throw new JwtConfigError(`cookies.names.${key}`, "must be a valid cookie name");
    if (!secure && PREFIXED.test(value)) throw new JwtConfigError(`cookies.names.${key}`, "a __Host- or __Secure- cookie needs secure: true");
    return value;
  };
  const resolved = { auth: name("auth"), refresh: name("refresh"), csrf: name("csrf"), expires: name("expires") };
  if (new Set(Object.values(resolved)).size !== 4) throw new JwtConfigError("cookies.names", "must be four different names");
  return Object.freeze({ secure, sameSite, names: Object.freeze(resolved), allowedOrigins: originSet(allowedOrigins) });
}

function originSet(origins: readonly string[] | undefined): ReadonlySet<string> | undefined {
  if (origins === undefined) return undefined;
  if (!Array.isArray(origins)) throw new JwtConfigError("cookies.allowedOrigins", "must be an array of origins");
  for (const origin of origins) {
    if (!isOrigin(origin)) {
      throw new JwtConfigError("cookies.allowedOrigins", 'each must be an origin such as "https://app.example.com" (scheme, host, port; no path)');
    }
  }
  return new Set(origins);
}

function isOrigin(value: unknown): boolean {
  const url = urlOf(value);
  return (url?.protocol === "https:" || url?.protocol === "http:") && url.origin === value;
}
