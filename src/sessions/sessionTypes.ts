import type { JsonObject, JsonValue } from "../tokens/json.js";
import type { JwtToken, TokenClaims, TokenType } from "../tokens/JwtToken.js";
import type { ClaimsArgument, ClaimsSchema, ScopeArgument, ScopeSchema } from "../tokens/claimSchemas.js";
import type { TokenStore } from "../stores/TokenStore.js";
import type { AuditHook } from "../telemetry/AuditEvent.js";

// The types of the session logic, apart from it: what `login` and `rotate` return and take, and
// what the `AuthManager` provides to `Sessions`.

/** The claims that tie a token to its session; every token of one login carries the same three. */
export interface SessionClaims {
  /** The session's id. */
  readonly sid: string;
  /** When the user logged in, in seconds since the epoch. */
  readonly auth_time: number;
  /** A random value for the double-submit CSRF check of cookie sessions. */
  readonly csrf: string;
  /** How the user logged in (`login`'s `acr` and `amr` options), when told: kept by every rotation. */
  readonly acr?: string;
  readonly amr?: readonly string[];
  /**
   * Refresh tokens only: which rotation of the session the token is (0 from `login`). The store
   * keeps only the session's current rotation, so reuse detection costs nothing per rotation.
   */
  readonly rot?: number;
}

/**
 * The pair of tokens `login` and `rotate` return. The auth token is typed by the manager's
 * `claims` and `scope` schemas (inferred: never write the parameters).
 */
export interface TokenPair<TClaims extends object = TokenClaims, TScope = JsonValue | undefined> {
  readonly authToken: JwtToken<TClaims, TScope>;
  readonly refreshToken: JwtToken;
}

/**
 * What `rotate` may change about the session's auth tokens; a field that is present replaces the
 * session's. Typed (and checked) by the manager's `claims` and `scope` schemas when it has them.
 */
export interface SessionUpdate<TClaims extends ClaimsSchema | undefined = undefined, TScope extends ScopeSchema | undefined = undefined> {
  readonly scope?: ScopeArgument<TScope> | undefined;
  readonly claims?: ClaimsArgument<TClaims> | undefined;
}

/** How sessions sign and verify, provided by the `AuthManager`. */
export interface SessionSigner {
  /**
   * Signs the pair of a session: an auth token with `scope`, `claims` and the session claims, and
   * a refresh token with the session claims and `rot`. Misuse throws (or rejects with) `JwtConfigError`.
   */
  issuePair(sub: string, scope: JsonValue | undefined, claims: JsonObject | undefined, session: SessionClaims, rot: number): TokenPair | Promise<TokenPair>;
  /** Verifies signature, issuer, lifetime and type, without asking about revocation; rejects with `JwtError`. */
  verify(signed: string, type?: TokenType): Promise<JwtToken>;
}

/** Settings of the session logic, from the `AuthManager` options. */
export interface SessionOptions {
  readonly store: TokenStore | undefined;
  /** The manager's `iss`: its sessions are listed apart from other managers' sharing the store. */
  readonly issuer: string;
  /** Seconds during which a just-rotated refresh token may be rotated again (0: never). */
  readonly rotationGrace: number;
  /** Seconds: the longest any token lives (the larger of the two lifetimes). */
  readonly maxTokenLifetime: number;
  /** Seconds a token is still accepted after its `exp`: every entry lives that much longer. */
  readonly clockTolerance: number;
  /** How many unrevoked tokens to remember between announcements. */
  readonly cacheSize: number;
  readonly clock: () => number;
  /** Told of each operation once it has succeeded (see `emitAudit`). */
  readonly audit?: AuditHook | undefined;
}
