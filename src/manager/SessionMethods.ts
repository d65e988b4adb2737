import type { LoginOptions } from "../sessions/loginOptions.js";
import type { Sessions, SessionUpdate, TokenPair } from "../sessions/Sessions.js";
import type { SessionInfo } from "../sessions/SessionDevices.js";
import type { ClaimsArgument, ClaimsSchema, ScopeArgument, ScopeSchema, TypedClaims, TypedScope } from "../tokens/claimSchemas.js";
import type { JsonObject, JsonValue } from "../tokens/json.js";
import type { JwtToken } from "../tokens/JwtToken.js";
// The one place refusals become tRPC errors; session methods answer callers through it.
import { rejectForCaller } from "../refusals/toTRPCError.js";

/**
 * What the session methods run on: the manager's `ManagerCore`, seen through only what they use,
 * so that the package's declarations do not name the core (nor, through it, the key types).
 */
export interface SessionBackend {
  readonly sessions: Sessions;
  /** See `ManagerCore.refused`. */
  refused(fields: { readonly scope?: unknown; readonly claims?: unknown }): Promise<never> | undefined;
}

/**
 * The session methods of `AuthManager` (`login`, `rotate`, `revoke`, `revokeSession`,
 * `revokeSubject`), which it inherits: they act on the caller's credentials, so a refusal
 * rejects as a `TRPCError` whose `cause` is the `JwtError`, and misuse with `JwtConfigError`.
 * Not constructed on its own: see `AuthManager`.
 *
 * @example
 * ```ts
 * const { authToken, refreshToken } = await auth.login("alice");
 * ```
 */
export class SessionMethods<TClaims extends ClaimsSchema | undefined, TScope extends ScopeSchema | undefined> {
  readonly #core: SessionBackend;

  /** @internal Called by `AuthManager`'s constructor with its core. */
  constructor(core: SessionBackend) {
    this.#core = core;
  }

  /**
   * Starts a session: an auth and a refresh token sharing a new `sid`, with `auth_time` (now) and
   * a random `csrf` claim. With a store, the session's scope and claims are kept there for
   * `rotate`. Works without a store. `options.acr` and `options.amr` say how the user logged in
   * (issued as those reserved claims, kept by rotations) for `requireToken({ acr, amr })`
   * (step-up, docs/step-up.md); a bad one throws `JwtConfigError` naming it. With a store, the
   * session is listed (`listSessions`) with `options.userAgent` and `options.ip`, stored as given
   * (hash the IP first if you must; a user agent and an IP are each cut to 512 characters).
   *
   * @example
   * ```ts
   * const { authToken, refreshToken } = await auth.login(user.id, user.scope, { org: user.org });
   * // after a second factor:
   * await auth.login(user.id, user.scope, undefined, { acr: "urn:mfa", amr: ["pwd", "otp"] });
   * // your devices:
   * await auth.login(user.id, user.scope, undefined, { userAgent: request.headers.get("user-agent") ?? undefined });
   * ```
   */
  login(
    sub: string,
    scope?: ScopeArgument<TScope>,
    claims?: ClaimsArgument<TClaims>,
    options?: LoginOptions,
  ): Promise<TokenPair<TypedClaims<TClaims>, TypedScope<TScope>>> {
    const pair =
      this.#core.refused({ scope, claims }) ??
      this.#core.sessions.login(sub, scope as JsonValue | undefined, claims as JsonObject | undefined, options).catch(rejectForCaller);
    return pair as Promise<TokenPair<TypedClaims<TClaims>, TypedScope<TScope>>>;
  }

  /**
   * Uses up a refresh token (a string, or the `JwtToken` of a `refreshProcedure`) for a new pair
   * in the same session: same `sid`, `auth_time` and `csrf`; the session's scope and claims
   * unless `update` replaces them. A refresh token presented a second time (outside
   * `rotationGrace`) is reuse: 401 TOKEN_REUSED, and the whole session is revoked (once). A
   * sessionless refresh token of this manager (`refreshToken`, the Quick start's) is accepted once
   * and starts a session, with the scope and claims `update` gives. A token of another manager
   * is refused, a `JwtToken` included. Needs a store.
   *
   * @example
   * ```ts
   * refresh: refreshProcedure.mutation(({ ctx }) => auth.rotate(ctx.token, { scope: currentScopeOf(ctx.token.sub) })),
   * ```
   */
  rotate(refresh: string | JwtToken, update?: SessionUpdate<TClaims, TScope>): Promise<TokenPair<TypedClaims<TClaims>, TypedScope<TScope>>> {
    // Checked before the refresh token is used up: a bad update must not cost the session.
    const pair = this.#core.refused(update ?? {}) ?? this.#core.sessions.rotate(refresh, update as SessionUpdate).catch(rejectForCaller);
    return pair as Promise<TokenPair<TypedClaims<TClaims>, TypedScope<TScope>>>;
  }

  /**
   * Logout, for any token this manager issued (a string, or a `JwtToken` such as `ctx.token`): a
   * token of a session ends its session (as `revokeSession`), any other token is revoked until it
   * would have expired. From then on they get 401 TOKEN_REVOKED in every process sharing the
   * store. A token of another manager is refused (TOKEN_INVALID). Needs a store.
   *
   * @example
   * ```ts
   * logout: authedProcedure.mutation(({ ctx }) => auth.revoke(ctx.token)),
   * ```
   */
  revoke(token: string | JwtToken): Promise<void> {
    return this.#core.sessions.revoke(token).catch(rejectForCaller);
  }

  /**
   * Revokes every token of one login (its `sid` claim), the newest included. A `sid` that is not
   * a non-empty string throws `JwtConfigError` naming `sid`: a logout never silently does nothing.
   * For the caller's own logout, `auth.revoke(ctx.token)` needs no `sid`. Needs a store.
   *
   * @example
   * ```ts
   * await auth.revokeSession(sidOfTheDeviceToSignOut);
   * ```
   */
  revokeSession(sid: string): Promise<void> {
    return this.#core.sessions.revokeSession(sid).catch(rejectForCaller);
  }

  /**
   * Revokes every token of `sub` issued so far, in every session: "log out everywhere". A login
   * afterwards works. Needs a store.
   *
   * @example
   * ```ts
   * await auth.revokeSubject("alice");
   * ```
   */
  revokeSubject(sub: string): Promise<void> {
    return this.#core.sessions.revokeSubject(sub).catch(rejectForCaller);
  }

  /**
   * The live sessions of `sub` ("your devices"), newest first: `sid`, `createdAt` and
   * `lastUsedAt` (seconds since the epoch; a use is recorded at most once a minute per session,
   * a rotation at once), and the `userAgent` and `ip` given to `login`. Revoked and expired
   * sessions are not listed. One store round trip on Redis and on a cluster. Needs a store.
   *
   * @example
   * ```ts
   * devices: authedProcedure.query(({ ctx }) => auth.listSessions(ctx.token.sub)),
   * ```
   */
  listSessions(sub: string): Promise<SessionInfo[]> {
    return this.#core.sessions.devices.list(sub).catch(rejectForCaller);
  }

  /**
   * "Sign out of all other devices": revokes every session of this manager's of the token's
   * subject except the token's own. Their calls get 401 TOKEN_REVOKED and their open
   * subscriptions end, in every process sharing the store; a rotation of one of them racing this
   * call yields no usable pair. A token whose own session is revoked (by another device's call of
   * this method too) is refused with TOKEN_REVOKED and ends nothing, checked in the store's
   * atomic step (on one Redis one script): of two devices calling it at once, exactly one wins.
   * Resolves how many sessions it revoked. Needs a store. A sessionless refresh token issued
   * before the call no longer starts a session (docs/sessions.md).
   *
   * @example
   * ```ts
   * signOutOthers: authedProcedure.mutation(({ ctx }) => auth.revokeOtherSessions(ctx.token)),
   * ```
   */
  revokeOtherSessions(token: string | JwtToken): Promise<number> {
    return this.#core.sessions.revokeOtherSessions(token).catch(rejectForCaller);
  }
}
