import { resolveOptions, type AuthManagerOptions, type AuthType, type ResolvedOptions } from "./config/options.js";
import { ENV_NAMES, optionsFromEnv, type Env } from "./config/optionsFromEnv.js";
import { JwtConfigError } from "./errors.js";
import { importKeys } from "./keys/importKeys.js";
import type { JwkSet } from "./keys/JwkSet.js";
import type { KeyRing } from "./keys/KeyRing.js";
import { issueToken } from "./tokens/issueToken.js";
import type { JsonObject, JsonValue } from "./tokens/json.js";
import type { JwtToken, TokenType } from "./tokens/JwtToken.js";
import type { Verifier } from "./tokens/Verifier.js";
import { createVerifier } from "./tokens/verifyToken.js";

/** The manager's clock (milliseconds), for `requireToken({ maxAuthAge })`. Module-internal. */
export let clockOf!: (auth: AuthManager) => () => number;

/**
 * The manager's verifier, for `ctx.jwt` (`JwtRequest`): unlike `verifyToken`, it hands back a
 * cached token without a promise. Module-internal (not exported from the package).
 */
export let verifierOf!: (auth: AuthManager) => Verifier;

/**
 * Issues and verifies auth and refresh tokens for one issuer and one algorithm: signs with one
 * key, verifies with it and with the previous keys of a rotation.
 * All options are checked here, once: a bad option throws `JwtConfigError` naming it.
 *
 * @example
 * ```ts
 * const auth = new AuthManager({ issuer: "my-api", authType: "HS256", secret: process.env.JWT_SECRET! });
 * const { signed } = await auth.authToken("alice", { admin: true });
 * const token = await auth.verifyToken(signed, "auth");
 * ```
 */
export class AuthManager {
  /** The `iss` claim this manager writes and requires. */
  readonly issuer: string;
  /** The one algorithm this manager signs with and accepts. */
  readonly authType: AuthType;
  /** Auth token lifetime, seconds. */
  readonly authMaxAge: number;
  /** Refresh token lifetime, seconds. */
  readonly refreshMaxAge: number;
  readonly #options: ResolvedOptions;
  /** The `kid` of issued tokens; undefined for HMAC without `keyId`. */
  readonly keyId: string | undefined;
  /** The `aud` of issued tokens, required of verified ones; undefined when none is configured. */
  readonly audience: string | undefined;
  readonly #keys: KeyRing;
  readonly #verify: Verifier;

  static {
    verifierOf = (auth) => auth.#verify;
    clockOf = (auth) => auth.#options.clock;
  }

  constructor(options: AuthManagerOptions) {
    this.#options = resolveOptions(options);
    this.#keys = importKeys(this.#options);
    this.#verify = createVerifier(this.#options, this.#keys);
    this.issuer = this.#options.issuer;
    this.authType = this.#options.authType;
    this.authMaxAge = this.#options.authMaxAge;
    this.refreshMaxAge = this.#options.refreshMaxAge;
    this.keyId = this.#keys.signing.kid;
    this.audience = this.#options.audience;
    Object.freeze(this);
  }

  /**
   * Builds a manager from Flask_PyJWT's variables: `JWT_ISSUER`, `JWT_AUTHTYPE`, `JWT_SECRET`
   * (required), `JWT_PUBLICKEY`, `JWT_AUTHMAXAGE`, `JWT_REFRESHMAXAGE`, plus `JWT_KEYID`,
   * `JWT_AUDIENCE`, `JWT_CLOCKTOLERANCE`, `JWT_MAXTOKENLENGTH` and `JWT_CACHESIZE`. Errors name
   * the variable.
   *
   * @example
   * ```ts
   * const auth = AuthManager.fromEnv(); // reads process.env
   * ```
   */
  static fromEnv(env: Env = process.env): AuthManager {
    try {
      return new AuthManager(optionsFromEnv(env));
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
   * not overwrite reserved claims (`iss sub iat exp nbf jti type scope aud`).
   *
   * @example
   * ```ts
   * const token = await auth.authToken("alice", { admin: true }, { org: "acme" });
   * res.json({ authToken: token.signed });
   * ```
   */
  authToken(sub: string, scope?: JsonValue, claims?: JsonObject): Promise<JwtToken> {
    return issueToken(this.#options, this.#keys, { type: "auth", sub, scope, claims });
  }

  /**
   * Signs a refresh token for `sub`. Refresh tokens carry no scope and no extra claims.
   *
   * @example
   * ```ts
   * const refresh = await auth.refreshToken("alice");
   * ```
   */
  refreshToken(sub: string): Promise<JwtToken> {
    return issueToken(this.#options, this.#keys, { type: "refresh", sub });
  }

  /**
   * Verifies a compact token: exactly this manager's algorithm, the key its `kid` names (the
   * current key when it names none; an unknown `kid` is refused), its issuer, its audience (none
   * when none is configured), `exp` (expired when `exp + clockTolerance <= now`), `nbf`, `iat` not
   * more than `clockTolerance` + 60 s ahead, `sub` and `type`.
   * With `type`, the token must be of that type; without, either kind is accepted. Throws
   * `JwtError` with a code (`TOKEN_INVALID`, `TOKEN_EXPIRED`, `TOKEN_WRONG_TYPE`).
   *
   * @example
   * ```ts
   * const token = await auth.verifyToken(raw, "refresh");
   * ```
   */
  verifyToken(signed: string, type?: TokenType): Promise<JwtToken> {
    if (type !== undefined && type !== "auth" && type !== "refresh") {
      return Promise.reject(new JwtConfigError("type", 'must be "auth" or "refresh"'));
    }
    // Promise.resolve hands a promise back as is, and wraps a cache hit.
    return Promise.resolve(this.#verify(signed, type));
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
  isUnexpired(token: JwtToken): boolean {
    return (token.exp + this.#options.clockTolerance) * 1000 > this.#options.clock();
  }

  /**
   * The public JWK Set of this manager's keys, current key first, each with `kid`, `alg` and
   * `use: "sig"`: serve it at `/.well-known/jwks.json` so other services can verify its tokens.
   * Never holds a private member. HMAC managers have no public keys and throw `JwtConfigError`.
   *
   * @example
   * ```ts
   * app.get("/.well-known/jwks.json", (_req, res) => res.json(auth.jwks()));
   * ```
   */
  jwks(): JwkSet {
    return this.#keys.jwks();
  }
}
