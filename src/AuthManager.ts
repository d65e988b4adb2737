import { ApiKeys } from "./apiKeys/ApiKeys.js";
import type { AuthManagerOptions } from "./config/options.js";
import type { AuthType } from "./jws/algorithms.js";
import { ENV_NAMES, optionsFromEnv, type Env } from "./config/optionsFromEnv.js";
import { JwtConfigError } from "./errors.js";
import { expiresAt, ISSUER, type Issuer } from "./issuers/Issuer.js";
import type { JwkSet } from "./keys/JwkSet.js";
import { createRateLimit, type RateLimitMiddleware, type RateLimitOptions } from "./rateLimit/createRateLimit.js";
import { ManagerCore } from "./manager/ManagerCore.js";
import { SessionMethods } from "./manager/SessionMethods.js";
import type { ClaimsArgument, ClaimsSchema, SchemaOptions, ScopeArgument, ScopeSchema, TypedClaims, TypedScope } from "./tokens/claimSchemas.js";
import type { JwtToken, TokenType } from "./tokens/JwtToken.js";
// The one place refusals become tRPC errors; issuing answers callers through it.
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
export class AuthManager<TClaims extends ClaimsSchema | undefined = undefined, TScope extends ScopeSchema | undefined = undefined> extends SessionMethods<
  TClaims,
  TScope
> {
  /** The `iss` claim this manager writes and requires. */
  readonly issuer: string;
  /** The one algorithm this manager signs with and accepts. */
  readonly authType: AuthType;
  /** Auth token lifetime, seconds. */
  readonly authMaxAge: number;
  /** Refresh token lifetime, seconds. */
  readonly refreshMaxAge: number;
  /** The `kid` of issued tokens (verify-only: of `publicKey`'s); undefined for HMAC without `keyId`. */
  readonly keyId: string | undefined;
  /** The `aud` of issued tokens, required of verified ones; undefined when none is configured. */
  readonly audience: string | undefined;
  /** API keys for machine clients: `create`, `revoke`, `list` (see docs/api-keys.md). Needs a store. */
  readonly apiKeys: ApiKeys<TClaims, TScope>;
  readonly #core: ManagerCore;

  constructor(options: AuthManagerOptions & SchemaOptions<TClaims, TScope>) {
    const core = new ManagerCore(options);
    super(core);
    this.#core = core;
    this.issuer = core.options.issuer;
    this.authType = core.options.authType;
    this.authMaxAge = core.options.authMaxAge;
    this.refreshMaxAge = core.options.refreshMaxAge;
    this.keyId = core.keys.current.kid;
    this.audience = core.options.audience;
    this.apiKeys = new ApiKeys(core.apiKeys);
    Object.freeze(this);
  }

  /**
   * Builds a manager from Flask_PyJWT's variables: `JWT_ISSUER`, `JWT_AUTHTYPE`, `JWT_SECRET`
   * (required), `JWT_PUBLICKEY`, `JWT_AUTHMAXAGE`, `JWT_REFRESHMAXAGE`, plus `JWT_KEYID`,
   * `JWT_AUDIENCE`, `JWT_CLOCKTOLERANCE`, `JWT_MAXTOKENLENGTH`, `JWT_CACHESIZE` and `JWT_APIKEYPREFIX`. Errors name
   * the variable. What no variable can hold (a `store`, a `clock`, `rotationGrace`, `audit`, the `claims`
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
    extra: Pick<AuthManagerOptions, "store" | "rotationGrace" | "clock" | "audit"> & SchemaOptions<TClaims, TScope> = {},
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
    return this.#core.issue({ type: "auth", sub, scope, claims }).catch(rejectForCaller) as Promise<JwtToken<TypedClaims<TClaims>, TypedScope<TScope>>>;
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
    return this.#core.issue({ type: "refresh", sub }).catch(rejectForCaller);
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
    return Promise.resolve(this.#core.verifyUnrevoked(signed, type));
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
    return expiresAt(token, this.#core.options.clockTolerance) > this.#core.options.clock();
  }

  /** @internal What a request context needs of this manager (`createJwtContext`). */
  [ISSUER](): Issuer {
    return this.#core.issuer();
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
    return this.#core.keys.ready();
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
    return this.#core.keys.jwks();
  }

  /**
   * A rate-limiting middleware for `.use()`, counted in the manager's store (memoryStore in one
   * process; Redis atomically across processes): at most `limit` calls per `key` in any `window`
   * seconds (a sliding window). Over it: 429 `RATE_LIMITED`, `Retry-After` on HTTP and
   * `retryAfter` in the error data on every transport. `key` gets `{ ctx, input, ip, path }`
   * (`ip`: see `createJwtContext`'s `trustedProxies`). A store that cannot count refuses the call
   * (503) unless `onStoreDown: "allow"`. See docs/rate-limits.md.
   *
   * @example
   * ```ts
   * login: t.procedure.input(credentials)
   *   .use(auth.rateLimit({ key: ({ input, ip }) => `${ip}:${input.username}`, limit: 5, window: 60 })).mutation(...)
   * ```
   */
  rateLimit<TContext, TMeta, TContextOverrides, TInput>(
    options: RateLimitOptions<TContext & TContextOverrides, TInput>,
  ): RateLimitMiddleware<TContext, TMeta, TContextOverrides, TInput> {
    return createRateLimit(this.#core.options.store, options);
  }
}
