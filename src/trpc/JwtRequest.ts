import type { AuthManager } from "../AuthManager.js";
import { JwtError } from "../errors.js";
import type { JwtToken, TokenType } from "../tokens/JwtToken.js";
import { eitherCredential, readAuthorization, readConnectionParam, readCookie, type Credential, type JwtContextOptions } from "./readCredential.js";

/** Where to look for a token and what type it must be. */
export interface TokenRequirement {
  /** `"auth"` (default) or `"refresh"`. */
  readonly type?: TokenType | undefined;
  /** Read the named cookie instead of the `Authorization` header. */
  readonly cookie?: string | undefined;
}

/**
 * The per-request (or per-WebSocket-connection) view of the caller's credentials, as `ctx.jwt`.
 * Nothing is read or verified until a procedure asks, so a bad token never affects public
 * procedures; each location is verified at most once, and expiry is re-checked on every use.
 *
 * @example
 * ```ts
 * // optional authentication in a public procedure
 * const token = await ctx.jwt.token().catch(() => undefined);
 * ```
 */
export class JwtRequest {
  readonly #auth: AuthManager;
  readonly #opts: JwtContextOptions;
  readonly #connectionParam: string;
  readonly #verified = new Map<string, Promise<JwtToken>>();

  /** @internal Created by `createJwtContext`. */
  constructor(auth: AuthManager, opts: JwtContextOptions, connectionParam: string) {
    this.#auth = auth;
    this.#opts = opts;
    this.#connectionParam = connectionParam;
  }

  /**
   * The caller's verified token of the required type. Throws `JwtError`: `TOKEN_MISSING`,
   * `TOKEN_INVALID`, `TOKEN_EXPIRED` or `TOKEN_WRONG_TYPE`.
   */
  async token(requirement: TokenRequirement = {}): Promise<JwtToken> {
    const { type = "auth", cookie } = requirement;
    const location = cookie === undefined ? "" : cookie;
    let pending = this.#verified.get(location);
    if (pending === undefined) {
      pending = this.#verify(cookie);
      this.#verified.set(location, pending);
    }
    const token = await pending;
    if (!this.#auth.isUnexpired(token)) throw new JwtError("TOKEN_EXPIRED");
    if (token.tokenType !== type) throw new JwtError("TOKEN_WRONG_TYPE");
    return token;
  }

  #verify(cookie: string | undefined): Promise<JwtToken> {
    const credential: Credential =
      cookie === undefined
        ? eitherCredential(readAuthorization(this.#opts.req), readConnectionParam(this.#opts, this.#connectionParam))
        : readCookie(this.#opts.req, cookie);
    if (credential.kind === "none") return Promise.reject(new JwtError("TOKEN_MISSING"));
    if (credential.kind === "bad") return Promise.reject(new JwtError("TOKEN_INVALID"));
    return this.#auth.verifyToken(credential.value);
  }
}
