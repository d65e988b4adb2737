import { JwtConfigError } from "../errors.js";
import type { JwtToken, TokenType } from "../tokens/JwtToken.js";
import type { Verifier } from "../tokens/Verifier.js";
import { createRemoteVerifier } from "./createRemoteVerifier.js";
import { discoverJwksUri } from "./discoverJwksUri.js";
import { expiresAt, ISSUER, type Issuer } from "./Issuer.js";
import { resolveRemoteOptions, type DiscoveryOptions, type RemoteAlgorithm, type RemoteIssuerOptions } from "./remoteIssuerOptions.js";

/**
 * Verifies access tokens that an external identity provider (Auth0, Keycloak, Cognito, Clerk,
 * Entra ID, any OpenID provider) signs, with the keys it publishes: trpc-jwt as a resource
 * server. RFC 9068 access tokens become `JwtToken`s with `tokenType: "auth"`, so guarded
 * procedures and their rules work unchanged. Options are checked here, once. The keys come
 * from `jwksUri` (fetched, refreshed, stale-while-revalidate) or are given as `keys` (no fetch, ever).
 *
 * @example
 * ```ts
 * const idp = new RemoteIssuer({
 *   issuer: "https://idp.example.com/",
 *   jwksUri: "https://idp.example.com/.well-known/jwks.json",
 *   audience: "https://api.example.com",
 * });
 * const token = await idp.verifyToken(raw);
 * ```
 */
export class RemoteIssuer {
  /** The `iss` this issuer's tokens carry, exactly. */
  readonly issuer: string;
  /** Where its signing keys are published; `undefined` when they were given as `keys`. */
  readonly jwksUri: string | undefined;
  /** The audience its tokens must name, or `false` (see `requiredClaims`). */
  readonly audience: string | false;
  /** The signature algorithms accepted. */
  readonly algorithms: readonly RemoteAlgorithm[];
  readonly #verify: Verifier;
  readonly #clock: () => number;
  readonly #clockTolerance: number;

  constructor(options: RemoteIssuerOptions) {
    const resolved = resolveRemoteOptions(options);
    this.issuer = resolved.profile.issuer;
    this.jwksUri = resolved.keySource instanceof URL ? resolved.keySource.href : undefined;
    this.audience = resolved.audience;
    this.algorithms = resolved.algorithms;
    this.#clock = resolved.timing.clock;
    this.#clockTolerance = resolved.profile.clockTolerance;
    this.#verify = createRemoteVerifier(resolved);
    Object.freeze(this);
  }

  /**
   * Reads the provider's OpenID Connect discovery document (then its RFC 8414 OAuth metadata),
   * requires the document's `issuer` to equal `issuer` exactly, and builds a `RemoteIssuer`
   * with its `jwks_uri`. Rejects with `JwtConfigError` for a mismatched or unusable document
   * (quoting the document's issuer), and with `JwtError("KEYS_UNAVAILABLE")` when no document can
   * be fetched (naming the origin and each URL's cause: `timeout`, `status 404`, `not JSON`, ...).
   *
   * @example
   * ```ts
   * const idp = await RemoteIssuer.discover("https://idp.example.com/", { audience: "https://api.example.com" });
   * ```
   */
  static async discover(issuer: string, options: DiscoveryOptions): Promise<RemoteIssuer> {
    // Validate everything but the URL first, so a bad option fails before any request.
    const { timing } = resolveRemoteOptions({ ...options, issuer, jwksUri: "https://localhost/" });
    return new RemoteIssuer({ ...options, issuer, jwksUri: await discoverJwksUri(issuer, timing.timeoutDuration) });
  }

  /**
   * Verifies an access token: one of the configured algorithms with a key from the provider's
   * key set, `typ` (`at+jwt`, `application/at+jwt`, `JWT` or none), `iss`, `aud`, `sub`, `iat`,
   * `exp`, `nbf`, `azp` and the required claims. Rejects with `JwtError`: `TOKEN_INVALID`,
   * `TOKEN_EXPIRED`, `TOKEN_WRONG_TYPE` (access tokens are `"auth"`), or `KEYS_UNAVAILABLE` when
   * no key can be had (a 503, never a 401).
   *
   * @example
   * ```ts
   * const token = await idp.verifyToken(raw);
   * token.scope; // "read write"
   * ```
   */
  verifyToken(signed: string, type?: TokenType): Promise<JwtToken> {
    if (type !== undefined && type !== "auth" && type !== "refresh") {
      return Promise.reject(new JwtConfigError("type", 'must be "auth" or "refresh"'));
    }
    return Promise.resolve(this.#verify(signed, type));
  }

  /**
   * Whether a token verified earlier is still unexpired by this issuer's clock (and tolerance).
   *
   * @example
   * ```ts
   * if (!idp.isUnexpired(token)) socket.close();
   * ```
   */
  isUnexpired(token: JwtToken): boolean {
    return expiresAt(token, this.#clockTolerance) > this.#clock();
  }

  /** @internal What a request context needs of this issuer (`createJwtContext`). */
  [ISSUER](): Issuer {
    return { issuer: this.issuer, verify: this.#verify, now: this.#clock, tolerance: this.#clockTolerance, revocation: undefined };
  }
}
