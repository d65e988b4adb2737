import type { JsonObject, JsonValue } from "./json.js";

/** The two kinds of token: short-lived `auth` tokens and long-lived `refresh` tokens. */
export type TokenType = "auth" | "refresh";

/**
 * The claims every verified token carries. With a claims schema, `ctx.token.claims` is these and
 * the schema's output (`TypedClaims`).
 */
export interface RegisteredClaims {
  readonly iss: string;
  readonly sub: string;
  readonly iat: number;
  readonly exp: number;
  /** Set on tokens this library issues (`"apikey"` on an API key's); access tokens of identity providers have none. */
  readonly type?: TokenType | "apikey";
}

/** The claims of a token without a claims schema: the registered ones and any extra JSON claims. */
export interface TokenClaims extends JsonObject, RegisteredClaims {}

/**
 * A signed token whose signature, issuer, lifetime, type and claims have been checked (or that
 * this library just signed). Immutable: the instance and its claims are frozen. Flask_PyJWT calls
 * this `current_token`; in a guarded procedure it is `ctx.token`.
 *
 * The type parameters are filled in from the manager's `claims` and `scope` schemas (see
 * docs/typed-claims.md); never write them by hand.
 *
 * @example
 * ```ts
 * const token = await auth.verifyToken(raw, "auth");
 * token.sub;              // "alice"
 * token.claims.custom;    // any extra claim
 * ```
 */
export class JwtToken<TClaims extends object = TokenClaims, TScope = JsonValue | undefined> {
  // `declare`d: the constructor sets every field, and a class field would first define each as
  // undefined (ES2022 class fields), ten more stores for every token verified.
  /**
   * `"auth"` or `"refresh"`: what the token is accepted as. An API key is accepted as an auth
   * token (where `requireToken({ apiKey: true })` allows it), so its `tokenType` is `"auth"`.
   */
  declare readonly tokenType: TokenType;
  /** What the caller presented: `"auth"`, `"refresh"`, or `"apikey"` for an API key. */
  declare readonly type: TokenType | "apikey";
  /** The subject: a non-empty string. */
  declare readonly sub: string;
  /**
   * The `scope` claim, or `undefined` when the token has none (refresh tokens never do). With the
   * manager's `scope` schema: the schema's output.
   */
  declare readonly scope: TScope;
  /**
   * The whole verified payload, registered claims included. With the manager's `claims` schema,
   * typed as the registered claims and the schema's output.
   */
  declare readonly claims: TClaims;
  /** The compact JWT string; empty for an API key (the key itself is never kept). */
  declare readonly signed: string;
  /** The issuer. */
  declare readonly iss: string;
  /** Issued at, in seconds since the epoch. */
  declare readonly iat: number;
  /** Expires at, in seconds since the epoch. */
  declare readonly exp: number;
  /** The token's unique id; `undefined` for tokens from issuers that set none (Flask_PyJWT). */
  declare readonly jti: string | undefined;

  /**
   * @internal Built by `AuthManager` or `RemoteIssuer` from checked, frozen claims; not for user
   * code. `tokenType` is given for access tokens of identity providers, which carry no `type`.
   */
  constructor(claims: TokenClaims, signed: string, tokenType?: TokenType) {
    // Only this library's own claims say "apikey": an identity provider's (given `tokenType`) never do.
    const apiKey = tokenType === undefined && claims.type === "apikey";
    this.tokenType = tokenType ?? (apiKey ? "auth" : (claims.type as TokenType));
    this.type = apiKey ? "apikey" : this.tokenType;
    this.sub = claims.sub;
    // Own properties only: a `scope` on Object.prototype (a bug elsewhere in the app) is no scope.
    this.scope = ownClaim(claims, "scope") as TScope;
    this.claims = claims as object as TClaims;
    this.signed = signed;
    this.iss = claims.iss;
    this.iat = claims.iat;
    this.exp = claims.exp;
    const jti = ownClaim(claims, "jti");
    this.jti = typeof jti === "string" ? jti : undefined;
    Object.freeze(this);
  }

  /**
   * Always `true`: a `JwtToken` only exists for a signed token. Kept for Flask_PyJWT parity
   * (`current_token.is_signed()`).
   */
  isSigned(): true {
    return true;
  }
}

function ownClaim(claims: TokenClaims, name: string): JsonValue | undefined {
  return Object.hasOwn(claims, name) ? claims[name] : undefined;
}
