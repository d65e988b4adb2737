import { JwtConfigError } from "../errors.js";
import type { TokenSource } from "../issuers/tokenSourceOf.js";
import { isCookieName } from "../wire/isCookieName.js";
import type { TokenPair } from "../sessions/Sessions.js";
import type { JwtToken } from "../tokens/JwtToken.js";
import { readRequestFactsWith, type RequestFacts } from "../rateLimit/requestFacts.js";
import { appendResponseHeader } from "./appendResponseHeader.js";
import { clientIp } from "./clientIp.js";
import type { CookieSettings } from "./cookies/cookieSettings.js";
import { clearingCookies, sessionCookies } from "./cookies/sessionCookies.js";
import { CredentialResolver, type RequestSettings, type TokenRequirement } from "./CredentialResolver.js";
import type { JwtContextOptions } from "./readCredential.js";

export type { TokenRequirement } from "./CredentialResolver.js";

/**
 * The key under which `ctx.jwt` holds its request's `CredentialResolver`, for the guards
 * (`requireToken`). A symbol that is not exported from the package, so it is no part of the
 * public `ctx.jwt` API. Module-internal.
 */
export const CREDENTIALS: unique symbol = Symbol("trpc-jwt: credentials");

/**
 * The per-request (or per-WebSocket-connection) view of the caller's credentials, as `ctx.jwt`.
 * Nothing is read or verified until a procedure asks, so a bad token never affects public
 * procedures; each location is verified at most once, and expiry is re-checked on every use.
 *
 * @example
 * ```ts
 * // Optional authentication: prefer `optionalProcedure` (ctx.token is JwtToken | null). By hand,
 * // only a missing token is anonymous; any other refusal (expired: the client must refresh)
 * // is thrown, and inside a trpc-jwt procedure it reaches the client as its 401.
 * const token = await ctx.jwt.token().catch((error: unknown) => {
 *   if (error instanceof JwtError && error.code === "TOKEN_MISSING") return null;
 *   throw error;
 * });
 * ```
 */
export class JwtRequest<TToken = JwtToken> {
  /** @internal The caller's credentials on this request; the guards read them from here. */
  readonly [CREDENTIALS]: CredentialResolver;

  /** @internal Created by `createJwtContext`. */
  constructor(source: TokenSource, opts: JwtContextOptions, settings: RequestSettings) {
    this[CREDENTIALS] = new CredentialResolver(source, opts, settings);
  }

  // What auth.rateLimit reads of the request, made only when a limited procedure asks: nothing
  // per request otherwise (the rate-limit layer is below this one and cannot name the class).
  static {
    readRequestFactsWith((request) => (request instanceof JwtRequest ? request.#facts() : undefined));
  }

  #facts(): RequestFacts {
    const { opts, settings } = this[CREDENTIALS];
    return { ip: clientIp(opts, settings.trustedProxies), setHeader: (name, value) => void appendResponseHeader(opts, name, [value]) };
  }

  /**
   * The caller's verified token of the required type. Rejects with `JwtError`: `TOKEN_MISSING`,
   * `TOKEN_INVALID`, `TOKEN_EXPIRED` or `TOKEN_WRONG_TYPE`. Throws `JwtConfigError` at once for
   * a `cookie` that cannot name a cookie (`""` included).
   */
  token(requirement: TokenRequirement = {}): Promise<TToken> {
    const { type = "auth", cookie } = requirement;
    if (type !== "auth" && type !== "refresh") throw new JwtConfigError("type", 'must be "auth" or "refresh"');
    if (cookie !== undefined && !isCookieName(cookie)) throw new JwtConfigError("cookie", "must be a valid cookie name");
    // A refusal found at once (a missing token) is a rejection too, never a throw.
    return new Promise((resolve) => resolve(this[CREDENTIALS].find(requirement) as TToken));
  }

  /**
   * Sets the session cookies (`createJwtContext(auth, { cookies })`) on this request's response:
   * the auth and refresh tokens HttpOnly, the csrf value and the auth token's expiry readable by
   * scripts. Takes what `auth.login` and `auth.rotate` return. Throws `JwtConfigError` without
   * the `cookies` option, for tokens without a shared `csrf` claim, or where no response can
   * carry cookies (a WebSocket, a `{ headers }` context, a streamed batch).
   *
   * @example
   * ```ts
   * login: t.procedure.input(credentials).mutation(async ({ ctx, input }) => {
   *   const user = await checkPassword(input);
   *   ctx.jwt.setTokens(await auth.login(user.name, user.scope));
   * }),
   * ```
   */
  setTokens(tokens: TokenPair): void {
    this.#setCookies("setTokens", (cookies) => sessionCookies(cookies, tokens, (token) => Math.floor(this[CREDENTIALS].source.now(token) / 1000)));
  }

  /**
   * Deletes the session cookies (logout). Revoke the session too (`auth.revoke(ctx.token)`) so a
   * copied token stops working. Throws `JwtConfigError` as `setTokens` does.
   *
   * @example
   * ```ts
   * logout: authedProcedure.mutation(async ({ ctx }) => {
   *   await auth.revoke(ctx.token);
   *   ctx.jwt.clearTokens();
   * }),
   * ```
   */
  clearTokens(): void {
    this.#setCookies("clearTokens", clearingCookies);
  }

  // The `Set-Cookie` headers `cookiesFor` makes, on the response of this request; `JwtConfigError`
  // where no response can carry them (a WebSocket, a `{ headers }` context, a streamed batch).
  #setCookies(method: string, cookiesFor: (cookies: CookieSettings) => string[]): void {
    const { opts, settings } = this[CREDENTIALS];
    const { cookies } = settings;
    if (cookies === undefined) throw new JwtConfigError("cookies", `ctx.jwt.${method} needs createJwtContext(auth, { cookies: {...} })`);
    const outcome = appendResponseHeader(opts, "set-cookie", cookiesFor(cookies));
    if (outcome === "headers-sent") {
      throw new JwtConfigError(method, "the response headers were already sent (httpBatchStreamLink): send login, refresh and logout through httpLink");
    }
    if (outcome === "no-response") {
      throw new JwtConfigError(method, "this context has no HTTP response to set cookies on (a WebSocket, or a context built from { headers })");
    }
  }
}
