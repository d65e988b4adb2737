import { JwtConfigError, type JwtError } from "../errors.js";
import type { TokenSource } from "../issuers/tokenSourceOf.js";
import { isCookieName } from "../wire/isCookieName.js";
import { isFresh } from "../policy/isFresh.js";
import type { TokenPair } from "../sessions/Sessions.js";
import { JwtToken, type TokenType } from "../tokens/JwtToken.js";
import { appendSetCookies } from "./cookies/appendSetCookies.js";
import type { CookieSettings } from "./cookies/cookieSettings.js";
import { crossSiteFailure } from "./cookies/crossSiteCheck.js";
import { clearingCookies, sessionCookies } from "./cookies/sessionCookies.js";
import type { RefusalEvent } from "./RefusalEvent.js";
import { eitherCredential, readAuthorization, readConnectionParam, readCookie, type Credential, type JwtContextOptions } from "./readCredential.js";
import { asRefusal, reasonOf, refused } from "../refusals/refused.js";

/** Where to look for a token and what type it must be. */
export interface TokenRequirement {
  /** `"auth"` (default) or `"refresh"`. */
  readonly type?: TokenType | undefined;
  /** Read the named cookie instead of the `Authorization` header. */
  readonly cookie?: string | undefined;
}

/** What a guard asks of the token beyond its location and type. Module-internal. */
export interface GuardRequirement extends TokenRequirement {
  /** The most seconds since the login (`auth_time`); else `TOKEN_NOT_FRESH`. */
  readonly maxAuthAge?: number | undefined;
}

/** The settings of one `createJwtContext`, validated there. Module-internal. */
export interface RequestSettings {
  readonly connectionParam: string;
  readonly onRefused: ((event: RefusalEvent) => unknown) | undefined;
  readonly cookies: CookieSettings | undefined;
}

type Slot = JwtToken | Promise<JwtToken>;

/**
 * For the guards: the caller's token of the required type, returned as is when it is already
 * known (a cache hit, or verified earlier on this request), else a promise. `current` is the
 * `ctx.token` an earlier guard put in the context: when this request verified it and it is of
 * the required type, it is reused with its location instead of looking again. Throws or rejects
 * with a refusal (`JwtError`). Module-internal (not exported from the package).
 */
export let requestedToken!: (request: JwtRequest<unknown>, requirement: GuardRequirement, current?: unknown) => Slot;

/**
 * For the guards: tells the context's `onRefused` hook, if any, about a refusal on `path`. The
 * hook can neither throw nor reject into the response. Module-internal.
 */
export let reportRefusal!: (request: JwtRequest<unknown>, error: JwtError, path: string) => void;

/** For the subscription guard: the issuers' clock and checks of this request. Module-internal. */
export let sourceOfRequest!: (request: JwtRequest<unknown>) => TokenSource;

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
  readonly #source: TokenSource;
  readonly #opts: JwtContextOptions;
  readonly #settings: RequestSettings;
  // The header (or WebSocket connection param) and each named cookie are separate slots: the
  // token verified, or its verification in progress. A credential found in one location is
  // never the credential of a procedure that reads another.
  #header: Slot | undefined;
  readonly #cookies = new Map<string, Slot>();
  // Tokens verified on this request, with the cookie they came from (undefined: the header).
  readonly #locations = new WeakMap<JwtToken, { readonly cookie: string | undefined }>();

  static {
    requestedToken = (request, requirement, current) => request.#reuse(requirement, current) ?? request.#find(requirement);
    reportRefusal = (request, error, path) => request.#report(error, path);
    sourceOfRequest = (request) => request.#source;
  }

  /** @internal Created by `createJwtContext`. */
  constructor(source: TokenSource, opts: JwtContextOptions, settings: RequestSettings) {
    this.#source = source;
    this.#opts = opts;
    this.#settings = settings;
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
    try {
      return Promise.resolve(this.#find(requirement)) as Promise<TToken>;
    } catch (error) {
      return Promise.reject(error);
    }
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
    const cookies = this.#cookieSettings("setTokens");
    appendSetCookies(
      this.#opts,
      sessionCookies(cookies, tokens, (token) => Math.floor(this.#source.now(token) / 1000)),
    );
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
    appendSetCookies(this.#opts, clearingCookies(this.#cookieSettings("clearTokens")));
  }

  #cookieSettings(method: string): CookieSettings {
    const cookies = this.#settings.cookies;
    if (cookies === undefined) throw new JwtConfigError("cookies", `ctx.jwt.${method} needs createJwtContext(auth, { cookies: {...} })`);
    return cookies;
  }

  // A later guard (a rule added to a cookie-authenticated base procedure, say) reuses the token
  // an earlier one found, unless it names another location or needs the other type.
  #reuse(requirement: GuardRequirement, current: unknown): Slot | undefined {
    const { type = "auth", cookie } = requirement;
    if (!(current instanceof JwtToken) || current.tokenType !== type) return undefined;
    const location = this.#locations.get(current);
    if (location === undefined || (cookie !== undefined && cookie !== location.cookie)) return undefined;
    return this.#check(current, requirement, location.cookie);
  }

  #find(requirement: GuardRequirement): Slot {
    const cookie = requirement.cookie ?? this.#sessionCookie(requirement.type ?? "auth");
    let found = cookie === undefined ? this.#header : this.#cookies.get(cookie);
    if (found === undefined) {
      found = this.#verifyAt(cookie);
      this.#store(cookie, found);
    }
    const check = (token: JwtToken) => this.#check(token, requirement, cookie);
    return found instanceof Promise ? found.then(check) : check(found);
  }

  // With the `cookies` option, a request that sends no Authorization header (no WebSocket
  // connection param) is authenticated by the session cookie of the required type.
  #sessionCookie(type: TokenType): string | undefined {
    const cookies = this.#settings.cookies;
    if (cookies === undefined || this.#header !== undefined || this.#headerCredential().kind !== "none") return undefined;
    return type === "auth" ? cookies.names.auth : cookies.names.refresh;
  }

  #headerCredential(): Credential {
    return eitherCredential(readAuthorization(this.#opts.req), readConnectionParam(this.#opts, this.#settings.connectionParam));
  }

  #store(cookie: string | undefined, found: Slot): void {
    const settle = (token: JwtToken) => {
      if (cookie === undefined) this.#header = token;
      else this.#cookies.set(cookie, token);
      if (!this.#locations.has(token)) this.#locations.set(token, { cookie });
    };
    if (!(found instanceof Promise)) return settle(found);
    if (cookie === undefined) this.#header = found;
    else this.#cookies.set(cookie, found);
    // Once settled, later calls on this request (a batch, a WebSocket) need not wait a tick.
    found.then(settle, () => undefined);
  }

  // Expiry, freshness and revocation are re-checked on every use: a WebSocket connection
  // outlives its token, and may outlive its session. Freshness is a property of the token too
  // (401, before any 403 rule), and no override skips it. Without a store, all synchronous.
  // A token from a cookie (any cookie: the browser sends them all) is also checked against
  // cross-site use.
  #check(token: JwtToken, { type = "auth", maxAuthAge }: GuardRequirement, cookie: string | undefined): Slot {
    if (!this.#source.isUnexpired(token)) throw refused("TOKEN_EXPIRED", "expired");
    if (token.tokenType !== type) throw refused("TOKEN_WRONG_TYPE", "type");
    if (maxAuthAge !== undefined && !isFresh(token, maxAuthAge, Math.floor(this.#source.now(token) / 1000))) throw refused("TOKEN_NOT_FRESH", "auth_time");
    if (cookie !== undefined) {
      const failure = crossSiteFailure(this.#opts, token, this.#settings.cookies);
      if (failure !== undefined) throw refused("CSRF_MISMATCH", failure);
    }
    const { unrevoked } = this.#source;
    if (unrevoked === undefined) return token;
    const checked = unrevoked(token);
    return checked instanceof Promise ? checked.catch((error: unknown) => Promise.reject(asRefusal(error))) : checked;
  }

  #verifyAt(cookie: string | undefined): Slot {
    const credential: Credential = cookie === undefined ? this.#headerCredential() : readCookie(this.#opts.req, cookie);
    if (credential.kind === "none") return Promise.reject(refused("TOKEN_MISSING", "missing"));
    if (credential.kind === "bad") return Promise.reject(refused("TOKEN_INVALID", "credential"));
    let verified: Slot;
    try {
      verified = this.#source.verify(credential.value);
    } catch (error) {
      return Promise.reject(asRefusal(error));
    }
    return verified instanceof Promise ? verified.catch((error: unknown) => Promise.reject(asRefusal(error))) : verified;
  }

  #report(error: JwtError, path: string): void {
    const hook = this.#settings.onRefused;
    if (hook === undefined) return;
    try {
      const returned: unknown = hook(Object.freeze({ code: error.code, reason: reasonOf(error), path }));
      // An async hook that rejects must not become an unhandled rejection either.
      if (returned instanceof Promise) returned.catch(() => undefined);
    } catch {
      // A development hook that throws changes nothing about the response.
    }
  }
}
