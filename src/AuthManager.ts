import { resolveOptions, type AuthManagerOptions, type ResolvedOptions } from "./config/options.js";
import type { AuthType } from "./jws/algorithms.js";
import { ENV_NAMES, optionsFromEnv, type Env } from "./config/optionsFromEnv.js";
import { JwtConfigError } from "./errors.js";
import { importKeys } from "./keys/importKeys.js";
import type { JwkSet } from "./keys/JwkSet.js";
import type { KeyRing } from "./keys/KeyRing.js";
import { expiresAt, ISSUER, type Issuer } from "./issuers/Issuer.js";
import { withRevocationCheck } from "./sessions/RevocationCheck.js";
import { Sessions, type SessionClaims, type SessionUpdate, type TokenPair } from "./sessions/Sessions.js";
import {
  checkIssued,
  readSchemas,
  typedIssued,
  withSchemas,
  type ClaimsArgument,
  type ClaimSchemas,
  type ClaimsSchema,
  type SchemaOptions,
  type ScopeArgument,
  type ScopeSchema,
  type TypedClaims,
  type TypedScope,
} from "./tokens/claimSchemas.js";
import { createTokenSigner, type TokenSigner } from "./tokens/createTokenSigner.js";
import { issuePair, issueToken, type IssueRequest, type PairRequest } from "./tokens/issueToken.js";
import type { JsonObject, JsonValue } from "./tokens/json.js";
import type { JwtToken, TokenType } from "./tokens/JwtToken.js";
import type { Verifier } from "./tokens/Verifier.js";
import { createVerifier } from "./tokens/verifyToken.js";
// The one place refusals become tRPC errors; session methods answer callers through it.
import { rejectForCaller } from "./refusals/toTRPCError.js";

/** Any manager, whatever its schemas. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyAuthManager = AuthManager<any, any>;

/**
 * The auth tokens a manager issues and verifies: typed from its `claims` and `scope` schemas,
 * else plain `JwtToken`.
 */
export type AuthTokenOf<TAuth> = TAuth extends AuthManager<infer TClaims, infer TScope> ? JwtToken<TypedClaims<TClaims>, TypedScope<TScope>> : JwtToken;

/**
 * Issues and verifies auth and refresh tokens for one issuer and one algorithm: signs with one
 * key, verifies with it and with the previous keys of a rotation. Given `publicKey` and no
 * `secret` (asymmetric algorithms), it only verifies: every method that signs rejects with
 * `JwtConfigError` naming `secret` (see docs/keys.md).
 * All options are checked here, once: a bad option throws `JwtConfigError` naming it.
 * With `claims` and `scope` schemas (any Standard Schema v1 validator: zod, valibot, arktype), auth tokens are typed and checked by them (see
 * docs/typed-claims.md); the type parameters are inferred, never written.
 *
 * The session methods (`login`, `rotate`, `revoke`, `revokeSession`, `revokeSubject`) act on the
 * caller's credentials: a refusal rejects as a `TRPCError` (401, or 503 `STORE_UNAVAILABLE`)
 * whose `cause` is the `JwtError`, so it reaches the client as its code from any procedure
 * (`jwtErrorCode(error)` reads it on both sides); misuse rejects with `JwtConfigError`.
 * `verifyToken` rejects with a plain `JwtError`: checking some other token is the app's business.
 *
 * @example
 * ```ts
 * const auth = new AuthManager({ issuer: "my-api", authType: "HS256", secret: process.env.JWT_SECRET! });
 * const { signed } = await auth.authToken("alice", { admin: true });
 * const token = await auth.verifyToken(signed, "auth");
 * ```
 */
export class AuthManager<TClaims extends ClaimsSchema | undefined = undefined, TScope extends ScopeSchema | undefined = undefined> {
  /** The `iss` claim this manager writes and requires. */
  readonly issuer: string;
  /** The one algorithm this manager signs with and accepts. */
  readonly authType: AuthType;
  /** Auth token lifetime, seconds. */
  readonly authMaxAge: number;
  /** Refresh token lifetime, seconds. */
  readonly refreshMaxAge: number;
  readonly #options: ResolvedOptions;
  /** The `kid` of issued tokens (verify-only: of `publicKey`'s); undefined for HMAC without `keyId`. */
  readonly keyId: string | undefined;
  /** The `aud` of issued tokens, required of verified ones; undefined when none is configured. */
  readonly audience: string | undefined;
  readonly #keys: KeyRing;
  // Undefined for a verify-only manager.
  readonly #sign: TokenSigner | undefined;
  readonly #verify: Verifier;
  readonly #sessions: Sessions;
  // #verify, then the revocation check when there is a store.
  readonly #verifyUnrevoked: Verifier;
  readonly #schemas: ClaimSchemas | undefined;

  constructor(options: AuthManagerOptions & SchemaOptions<TClaims, TScope>) {
    const { claims, scope, ...rest } = options;
    this.#options = resolveOptions(rest);
    this.#schemas = readSchemas({ claims, scope });
    this.#keys = importKeys(this.#options);
    this.#sign = this.#keys.signing === undefined ? undefined : createTokenSigner(this.#keys.signing);
    const verify = createVerifier(this.#options, this.#keys);
    this.#verify = this.#schemas === undefined ? verify : withSchemas(verify, this.#schemas);
    this.#sessions = this.#createSessions();
    this.#verifyUnrevoked = withRevocationCheck(this.#verify, this.#sessions.revocationCheck);
    this.issuer = this.#options.issuer;
    this.authType = this.#options.authType;
    this.authMaxAge = this.#options.authMaxAge;
    this.refreshMaxAge = this.#options.refreshMaxAge;
    this.keyId = this.#keys.current.kid;
    this.audience = this.#options.audience;
    Object.freeze(this);
  }

  /**
   * Builds a manager from Flask_PyJWT's variables: `JWT_ISSUER`, `JWT_AUTHTYPE`, `JWT_SECRET`
   * (required), `JWT_PUBLICKEY`, `JWT_AUTHMAXAGE`, `JWT_REFRESHMAXAGE`, plus `JWT_KEYID`,
   * `JWT_AUDIENCE`, `JWT_CLOCKTOLERANCE`, `JWT_MAXTOKENLENGTH` and `JWT_CACHESIZE`. Errors name
   * the variable. What no variable can hold (a `store`, a `clock`, `rotationGrace`, the `claims`
   * and `scope` schemas) comes in `extra`; the manager is typed by its schemas as with `new`.
   *
   * @example
   * ```ts
   * const auth = AuthManager.fromEnv(); // reads process.env
   * const withSessions = AuthManager.fromEnv(process.env, { store: memoryStore(), claims: z.object({ org: z.string() }) });
   * ```
   */
  static fromEnv<TClaims extends ClaimsSchema | undefined = undefined, TScope extends ScopeSchema | undefined = undefined>(
    env: Env = process.env,
    extra: Pick<AuthManagerOptions, "store" | "rotationGrace" | "clock"> & SchemaOptions<TClaims, TScope> = {},
  ): AuthManager<TClaims, TScope> {
    try {
      return new AuthManager<TClaims, TScope>({ ...optionsFromEnv(env), ...extra });
    } catch (error) {
      // Name the variable the user set, not the option it became.
      if (error instanceof JwtConfigError && Object.hasOwn(ENV_NAMES, error.option)) {
        throw new JwtConfigError(ENV_NAMES[error.option as keyof typeof ENV_NAMES], error.problem);
      }
      throw error;
    }
  }

  /**
   * Signs an auth token for `sub`, with an optional `scope` and extra claims. Extra claims may
   * not overwrite reserved claims (`iss sub iat exp nbf jti type scope aud sid auth_time csrf
   * sub_gen`). With a store, the token carries `sub_gen`, the subject's revocation generation read
   * from the store (one read), so `revokeSubject` refuses it exactly when it was issued before the
   * revocation, whatever this process's clock says; a store that cannot be read is 503
   * `STORE_UNAVAILABLE`.
   *
   * @example
   * ```ts
   * const token = await auth.authToken("alice", { admin: true }, { org: "acme" });
   * res.json({ authToken: token.signed });
   * ```
   */
  authToken(sub: string, scope?: ScopeArgument<TScope>, claims?: ClaimsArgument<TClaims>): Promise<JwtToken<TypedClaims<TClaims>, TypedScope<TScope>>> {
    const issued =
      this.#refused({ scope, claims }) ?? this.#sessions.generationOf(sub).then((generation) => this.#issue({ type: "auth", sub, scope, claims, generation }));
    return issued.catch(rejectForCaller) as Promise<JwtToken<TypedClaims<TClaims>, TypedScope<TScope>>>;
  }

  /**
   * Signs a refresh token for `sub`. Refresh tokens carry no scope and no extra claims (`sub_gen`
   * with a store, as `authToken`).
   *
   * @example
   * ```ts
   * const refresh = await auth.refreshToken("alice");
   * ```
   */
  refreshToken(sub: string): Promise<JwtToken> {
    const issued = this.#refused({}) ?? this.#sessions.generationOf(sub).then((generation) => this.#issue({ type: "refresh", sub, generation }));
    return issued.catch(rejectForCaller);
  }

  /**
   * Verifies a compact token: exactly this manager's algorithm, the key its `kid` names (the
   * current key when it names none; an unknown `kid` is refused), its issuer, its audience (none
   * when none is configured), `exp` (expired when `exp + clockTolerance <= now`), `nbf`, `iat` not
   * more than `clockTolerance` + 60 s ahead, `sub` and `type`.
   * With `type`, the token must be of that type; without, either kind is accepted. Throws
   * `JwtError` with a code (`TOKEN_INVALID`, `TOKEN_EXPIRED`, `TOKEN_WRONG_TYPE`). An auth token
   * is typed (and checked) by the manager's schemas; a refresh token is a plain `JwtToken`.
   *
   * @example
   * ```ts
   * const token = await auth.verifyToken(raw, "refresh");
   * ```
   */
  verifyToken(signed: string, type: "auth"): Promise<JwtToken<TypedClaims<TClaims>, TypedScope<TScope>>>;
  verifyToken(signed: string, type: "refresh"): Promise<JwtToken>;
  verifyToken(signed: string, type?: TokenType): Promise<JwtToken<TypedClaims<TClaims>, TypedScope<TScope>> | JwtToken>;
  verifyToken(signed: string, type?: TokenType): Promise<JwtToken<TypedClaims<TClaims>, TypedScope<TScope>> | JwtToken> {
    if (type !== undefined && type !== "auth" && type !== "refresh") {
      return Promise.reject(new JwtConfigError("type", 'must be "auth" or "refresh"'));
    }
    // Promise.resolve hands a promise back as is, and wraps a cache hit.
    return Promise.resolve(this.#verifyUnrevoked(signed, type));
  }

  /**
   * Whether a token verified earlier is still unexpired by this manager's clock; for
   * long-lived holders of a token such as a WebSocket connection.
   *
   * @example
   * ```ts
   * if (!auth.isUnexpired(token)) socket.close();
   * ```
   */
  isUnexpired(token: JwtToken<object, unknown>): boolean {
    return expiresAt(token, this.#options.clockTolerance) > this.#options.clock();
  }

  /** @internal What a request context needs of this manager (`createJwtContext`). */
  [ISSUER](): Issuer {
    const { clock, clockTolerance } = this.#options;
    return { issuer: this.issuer, verify: this.#verify, now: clock, tolerance: clockTolerance, revocation: this.#sessions.revocationCheck };
  }

  /**
   * Resolves once every key of this manager is imported and checked. On Node the constructor has
   * checked them already, so it resolves at once. Where `node:crypto` is missing (Workers, Vercel
   * Edge), Web Crypto imports keys asynchronously: a bad key (RSA under 2048 bits, another curve,
   * a `publicKey` that is not the half of `secret`) rejects it with the `JwtConfigError` naming
   * the option, and `jwks()` works once it has resolved. The same promise on every call; nothing
   * is lost when nobody awaits it (a bad key also rejects every signing).
   *
   * @example
   * ```ts
   * const auth = new AuthManager({ issuer: "my-api", authType: "ES256", secret: env.JWT_SECRET, keyId: "2026-01" });
   * await auth.ready(); // throws here, at startup, if a key is unusable
   * const published = auth.jwks();
   * ```
   */
  ready(): Promise<void> {
    return this.#keys.ready();
  }

  /**
   * The public JWK Set of this manager's keys, current key first, each with `kid`, `alg` and
   * `use: "sig"`: serve it at `/.well-known/jwks.json` so other services can verify its tokens.
   * Never holds a private member. HMAC managers have no public keys and throw `JwtConfigError`.
   * Without `node:crypto`, it throws `JwtConfigError` until `ready()` has resolved, and for a key
   * without `keyId` (there is no thumbprint `kid` there).
   *
   * @example
   * ```ts
   * app.get("/.well-known/jwks.json", (_req, res) => res.json(auth.jwks()));
   * ```
   */
  jwks(): JwkSet {
    return this.#keys.jwks();
  }

  /**
   * Starts a session: an auth and a refresh token sharing a new `sid`, with `auth_time` (now) and
   * a random `csrf` claim. With a store, the session's scope and claims are kept there for
   * `rotate`. Works without a store.
   *
   * @example
   * ```ts
   * const { authToken, refreshToken } = await auth.login(user.id, user.scope, { org: user.org });
   * ```
   */
  login(sub: string, scope?: ScopeArgument<TScope>, claims?: ClaimsArgument<TClaims>): Promise<TokenPair<TypedClaims<TClaims>, TypedScope<TScope>>> {
    const pair =
      this.#refused({ scope, claims }) ?? this.#sessions.login(sub, scope as JsonValue | undefined, claims as JsonObject | undefined).catch(rejectForCaller);
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
    const pair = this.#refused(update ?? {}) ?? this.#sessions.rotate(refresh, update as SessionUpdate).catch(rejectForCaller);
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
    return this.#sessions.revoke(token).catch(rejectForCaller);
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
    return this.#sessions.revokeSession(sid).catch(rejectForCaller);
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
    return this.#sessions.revokeSubject(sub).catch(rejectForCaller);
  }

  // An issuing call that must not start, as its rejection: a verify-only manager (no secret), or
  // scope or claims that fail the schemas, found before anything is read, signed or used up.
  // Undefined when it may go on.
  #refused(fields: { readonly scope?: unknown; readonly claims?: unknown }): Promise<never> | undefined {
    try {
      this.#keys.signingKey();
      if (this.#schemas !== undefined) checkIssued(this.#schemas, fields);
      return undefined;
    } catch (error) {
      return Promise.reject(error);
    }
  }

  // Every token this manager signs; auth tokens come back as verification will see them.
  #issue(request: IssueRequest): Promise<JwtToken> {
    const sign = this.#sign;
    // A verify-only manager refuses before anything else: #refused rejects with signingKey's error.
    const issued = sign === undefined ? (this.#refused({}) as Promise<never>) : issueToken(this.#options, sign, request);
    const schemas = this.#schemas;
    return schemas === undefined ? issued : issued.then((token) => typedIssued(token, schemas));
  }

  // The two tokens of a login or rotation, signed in one step (see issuePair).
  #issuePair(request: PairRequest): TokenPair | Promise<TokenPair> {
    const sign = this.#sign;
    if (sign === undefined) return this.#refused({}) as Promise<never>;
    const pair = issuePair(this.#options, sign, request);
    const schemas = this.#schemas;
    if (schemas === undefined) return pair;
    const typed = ({ authToken, refreshToken }: TokenPair) => ({ authToken: typedIssued(authToken, schemas), refreshToken });
    return pair instanceof Promise ? pair.then(typed) : typed(pair);
  }

  #createSessions(): Sessions {
    const { store, rotationGrace, cacheSize, clock, authMaxAge, refreshMaxAge, clockTolerance } = this.#options;
    const signer = {
      issuePair: (sub: string, scope: JsonValue | undefined, claims: JsonObject | undefined, session: SessionClaims, rot: number) =>
        this.#issuePair({ sub, scope, claims, session, rot }),
      verify: (signed: string, type?: TokenType) => Promise.resolve(this.#verify(signed, type)),
    };
    return new Sessions(signer, { store, rotationGrace, cacheSize, clock, maxTokenLifetime: Math.max(authMaxAge, refreshMaxAge), clockTolerance });
  }
}
