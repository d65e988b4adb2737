import { verifierOf, type AuthManager } from "../AuthManager.js";
import { JwtError } from "../errors.js";
import type { JwtToken, TokenType } from "../tokens/JwtToken.js";
import type { Verifier } from "../tokens/verifyToken.js";
import { eitherCredential, readAuthorization, readConnectionParam, readCookie, type Credential, type JwtContextOptions } from "./readCredential.js";

/** Where to look for a token and what type it must be. */
export interface TokenRequirement {
  /** `"auth"` (default) or `"refresh"`. */
  readonly type?: TokenType | undefined;
  /** Read the named cookie instead of the `Authorization` header. */
  readonly cookie?: string | undefined;
}

/**
 * For `requireToken`: the caller's token of the required type, returned as is when it is already
 * known (a cache hit, or verified earlier on this request), else a promise. Throws or rejects
 * with `JwtError`. Module-internal (not exported from the package).
 */
export let requestedToken!: (request: JwtRequest, requirement: TokenRequirement) => JwtToken | Promise<JwtToken>;

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
  readonly #verify: Verifier;
  readonly #opts: JwtContextOptions;
  readonly #connectionParam: string;
  // Per location ("" for the header or connection param, else the cookie name): the token once
  // verified, or the verification in progress.
  readonly #verified = new Map<string, JwtToken | Promise<JwtToken>>();

  static {
    requestedToken = (request, requirement) => request.#find(requirement);
  }

  /** @internal Created by `createJwtContext`. */
  constructor(auth: AuthManager, opts: JwtContextOptions, connectionParam: string) {
    this.#auth = auth;
    this.#verify = verifierOf(auth);
    this.#opts = opts;
    this.#connectionParam = connectionParam;
  }

  /**
   * The caller's verified token of the required type. Rejects with `JwtError`: `TOKEN_MISSING`,
   * `TOKEN_INVALID`, `TOKEN_EXPIRED` or `TOKEN_WRONG_TYPE`.
   */
  token(requirement: TokenRequirement = {}): Promise<JwtToken> {
    try {
      return Promise.resolve(this.#find(requirement));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  #find({ type = "auth", cookie }: TokenRequirement): JwtToken | Promise<JwtToken> {
    const location = cookie === undefined ? "" : cookie;
    let found = this.#verified.get(location);
    if (found === undefined) {
      found = this.#verifyAt(cookie);
      this.#verified.set(location, found);
      // Once settled, later calls on this request (a batch, a WebSocket) need not wait a tick.
      if (found instanceof Promise) found.then((token) => this.#verified.set(location, token), () => undefined);
    }
    return found instanceof Promise ? found.then((token) => this.#check(token, type)) : this.#check(found, type);
  }

  // Expiry is re-checked on every use: a WebSocket connection outlives its token.
  #check(token: JwtToken, type: TokenType): JwtToken {
    if (!this.#auth.isUnexpired(token)) throw new JwtError("TOKEN_EXPIRED");
    if (token.tokenType !== type) throw new JwtError("TOKEN_WRONG_TYPE");
    return token;
  }

  #verifyAt(cookie: string | undefined): JwtToken | Promise<JwtToken> {
    const credential: Credential =
      cookie === undefined
        ? eitherCredential(readAuthorization(this.#opts.req), readConnectionParam(this.#opts, this.#connectionParam))
        : readCookie(this.#opts.req, cookie);
    if (credential.kind === "none") return Promise.reject(new JwtError("TOKEN_MISSING"));
    if (credential.kind === "bad") return Promise.reject(new JwtError("TOKEN_INVALID"));
    return this.#verify(credential.value);
  }
}
