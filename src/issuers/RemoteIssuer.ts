import { JwtConfigError } from "../errors.js";
import { nonEmptyString, objectOf, oneOf, optionNames } from "../options/validate.js";
import { withRevocationCheck } from "../sessions/RevocationCheck.js";
import type { JwtToken, TokenType } from "../tokens/JwtToken.js";
import type { Verifier } from "../tokens/Verifier.js";
import { createBackchannelLogout, type BackchannelLogoutHandler } from "./backchannelLogout.js";
import { createRemoteVerifier } from "./createRemoteVerifier.js";
import { discoverJwksUri } from "./discoverJwksUri.js";
import { expiresAt, ISSUER, type Issuer } from "./Issuer.js";
import { readAccessClaims } from "./readAccessClaims.js";
import { readLogoutClaims } from "./readLogoutClaims.js";
import {
  resolveRemoteOptions,
  type DiscoveryOptions,
  type RemoteAlgorithm,
  type RemoteIssuerOptions,
  type ResolvedRemoteOptions,
} from "./remoteIssuerOptions.js";
import { RemoteKeySet } from "./RemoteKeySet.js";
import { RemoteRevocation } from "./RemoteRevocation.js";

/** Options for `idp.backchannelLogout(options)`. */
export interface BackchannelLogoutOptions {
  /** Your client id at the provider: a logout token's `aud` must name it. */
  readonly clientId: string;
  /**
   * What a logout ends. `"session"` (default): the access tokens with the logout token's `sid`
   * (without one: every token of its `sub`). `"subject"`: every token of its `sub`, for providers
   * whose access tokens carry no `sid` (the access tokens' `sub` must be the logout token's).
   */
  readonly revoke?: "session" | "subject" | undefined;
}

const LOGOUT_OPTION_NAMES = optionNames<BackchannelLogoutOptions>({ clientId: true, revoke: true });

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
  readonly #options: ResolvedRemoteOptions;
  readonly #keys: RemoteKeySet;
  readonly #revocation: RemoteRevocation | undefined;

  constructor(options: RemoteIssuerOptions) {
    const resolved = resolveRemoteOptions(options);
    const { profile, timing, store } = resolved;
    this.issuer = profile.issuer;
    this.jwksUri = resolved.keySource instanceof URL ? resolved.keySource.href : undefined;
    this.audience = resolved.audience;
    this.algorithms = resolved.algorithms;
    this.#options = resolved;
    // One key set for access tokens and logout tokens alike.
    this.#keys = new RemoteKeySet(resolved.keySource, timing);
    const policy = { ...profile, clock: timing.clock, maxTokenLength: resolved.maxTokenLength, cacheSize: resolved.cacheSize };
    this.#verify = createRemoteVerifier(this.#keys, resolved.algorithms, { policy, claims: readAccessClaims });
    this.#revocation =
      store === undefined
        ? undefined
        : new RemoteRevocation(this.issuer, store, { ...policy, maxTokenLifetime: resolved.maxTokenLifetime, audit: resolved.audit });
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
   * key set, `typ` (`at+jwt`, `application/at+jwt`, `JWT` or none; only the first two with
   * `tokenProfile: "at+jwt"`), `iss`, `aud`, `sub`, `iat`, `exp`, `nbf`, `azp` and the required
   * claims; no `events` claim, and no ID-token claim (`nonce`, `at_hash`, `c_hash`, `s_hash`)
   * unless `tokenProfile` is `"id"`. Rejects with `JwtError`: `TOKEN_INVALID`,
   * `TOKEN_EXPIRED`, `TOKEN_WRONG_TYPE` (access tokens are `"auth"`), or `KEYS_UNAVAILABLE` when
   * no key can be had (a 503, never a 401); with a `store`, also `TOKEN_REVOKED` (a back-channel
   * logout ended its session) or `STORE_UNAVAILABLE`.
   *
   * @example
   * ```ts
   * const token = await idp.verifyToken(raw);
   * token.scope; // "read write"
   * ```
   */
  verifyToken(signed: string, type?: TokenType): Promise<JwtToken> {
    if (type !== undefined && type !== "auth" && type !== "refresh") return Promise.reject(new JwtConfigError("type", 'must be "auth" or "refresh"'));
    return Promise.resolve(withRevocationCheck(this.#verify, this.#revocation)(signed, type));
  }

  /**
   * The endpoint for OpenID Connect Back-Channel Logout 1.0: register its URL as your client's
   * `backchannel_logout_uri` at the provider. It takes the provider's form POST
   * (`logout_token=`), verifies the logout token exactly as the specification says (a signature
   * by the provider's keys with one of `algorithms`, never `none` or HMAC; `iss`; `aud` equal to
   * `clientId`; `iat` within five minutes; `exp` present and not past; `typ` `logout+jwt` or
   * absent; the back-channel-logout `events` member; no `nonce`; `sid` and/or `sub`; a `jti` never
   * seen before, in any process sharing the store) and revokes through the `store` every access
   * token of this provider with that `sid` (without one: of that `sub`), in every process within
   * the store's announcement time, open subscriptions included. 200 when done; 400 with no body for any bad request or
   * token, which revokes nothing; 503 when the keys or the store cannot be had (the provider
   * retries). Access tokens match a logout by their own `sid` claim: see
   * docs/identity-providers.md for providers that do not put one in access tokens. Throws
   * `JwtConfigError` without a `store`, or for a bad `clientId`.
   *
   * @example
   * ```ts
   * const logout = idp.backchannelLogout({ clientId: "my-app" });
   * export const POST = logout;                          // Next.js route handler, Hono, Workers
   * app.post("/auth/backchannel-logout", logout.node);   // Express, Node's http
   * ```
   */
  backchannelLogout(options: BackchannelLogoutOptions): BackchannelLogoutHandler {
    objectOf(options, "options", { names: LOGOUT_OPTION_NAMES, kind: "a backchannelLogout option" });
    const clientId = nonEmptyString(options.clientId, "clientId", "must be your client id at the provider (a logout token's aud)");
    const bySubject = oneOf(options.revoke ?? "session", ["session", "subject"], "revoke") === "subject";
    const revocation = this.#revocation;
    if (revocation === undefined) throw new JwtConfigError("store", "backchannelLogout() needs a TokenStore: new RemoteIssuer({ ..., store })");
    const { algorithms, timing, maxTokenLength, profile } = this.#options;
    // The issuer's own pipeline and key set, with the logout-token claim check; never cached (each jti counts once).
    const policy = { issuer: this.issuer, clientId, clockTolerance: profile.clockTolerance, clock: timing.clock, maxTokenLength, cacheSize: 0 };
    const verify = createRemoteVerifier(this.#keys, algorithms, { policy, claims: readLogoutClaims });
    // By subject: the sid goes (a token without sub still ends its session).
    return createBackchannelLogout(verify, (request) => revocation.logout(bySubject && request.sub !== undefined ? { ...request, sid: undefined } : request));
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
    return expiresAt(token, this.#options.profile.clockTolerance) > this.#options.timing.clock();
  }

  /** @internal What a request context needs of this issuer (`createJwtContext`). */
  [ISSUER](): Issuer {
    const { timing, profile } = this.#options;
    return { issuer: this.issuer, verify: this.#verify, now: timing.clock, tolerance: profile.clockTolerance, revocation: this.#revocation };
  }
}
