import type { JWK } from "jose";
import { JwtConfigError } from "../errors.js";
import { LIMITS } from "../options/limits.js";
import { clockOf, functionOf, nonEmptyString, objectOf, oneOf, optionNames, stringList, wholeNumber } from "../options/validate.js";
import type { AuditHook } from "../telemetry/AuditEvent.js";
import { copyJson, isJsonObject, type JsonObject } from "../tokens/json.js";
import { ASYMMETRIC_ALGORITHMS, type AsymmetricAlgorithm } from "../jws/algorithms.js";
import type { PublicJwk } from "../keys/JwkSet.js";
import type { TokenStore } from "../stores/TokenStore.js";
import { tokenStoreOf } from "../stores/tokenStoreOf.js";
import { keySourceOf } from "./keySourceOf.js";

/** The asymmetric algorithms an identity provider may sign access tokens with. */
export type RemoteAlgorithm = AsymmetricAlgorithm;

/**
 * Options for `new RemoteIssuer(options)`: where the provider's keys come from (`jwksUri`, or
 * the key set itself as `keys`), plus `RemoteIssuerSettings`. Durations of the key set are in
 * milliseconds (jose's names and units); `clockTolerance` is in seconds, as in `AuthManager`.
 *
 * @example
 * ```ts
 * const options: RemoteIssuerOptions = {
 *   issuer: "https://idp.example.com/",
 *   jwksUri: "https://idp.example.com/.well-known/jwks.json",
 *   audience: "https://api.example.com",
 * };
 * ```
 */
export type RemoteIssuerOptions = RemoteIssuerSettings &
  (
    | {
        /** Where the provider publishes its signing keys. `https:` (plain `http:` only on a loopback host). */
        jwksUri: string | URL;
        keys?: undefined;
      }
    | {
        /**
         * The provider's public keys, given instead of `jwksUri`: never fetched, never refreshed
         * (serverless functions without a cold-start fetch, air-gapped services). Public
         * asymmetric keys only; to rotate, deploy the new set.
         */
        keys: RemoteJwkSet;
        jwksUri?: undefined;
      }
  );

/** A JWK Set given to `RemoteIssuer({ keys })`: the provider's published JWKS document, or `auth.jwks()`. */
export interface RemoteJwkSet {
  readonly keys: readonly (JWK | PublicJwk)[];
}

/**
 * Everything a `RemoteIssuer` takes besides where its keys come from (all of
 * `RemoteIssuer.discover`'s options, with `issuer`).
 *
 * @example
 * ```ts
 * const settings: RemoteIssuerSettings = { issuer: "https://idp.example.com/", audience: "https://api.example.com" };
 * ```
 */
export interface RemoteIssuerSettings {
  /** The provider's issuer identifier: a token's `iss` must equal it exactly (trailing slash included). */
  issuer: string;
  /**
   * The audience access tokens must name (`aud`, a string or an array containing it): your API's
   * identifier at the provider. `false` only for providers whose access tokens carry no `aud`
   * (Cognito), and then `requiredClaims` must pin `client_id` or `token_use`.
   */
  audience: string | false;
  /** Accepted signature algorithms. Default `["RS256"]`; asymmetric only. */
  algorithms?: readonly RemoteAlgorithm[] | undefined;
  /** Seconds (integer 0..300) of clock skew allowed on `exp` and `nbf`. Default 0. */
  clockTolerance?: number | undefined;
  /** When set, the token's `azp` (authorized party) must be one of these client ids (Keycloak, Clerk). */
  authorizedParties?: readonly string[] | undefined;
  /** Claims every token must carry, matched as `requireToken({ claims })` matches, e.g. `{ token_use: "access" }`. */
  requiredClaims?: JsonObject | undefined;
  /**
   * Which of the provider's tokens are accepted, so that its ID tokens (signed by the same keys,
   * addressed to the client id) cannot pose as access tokens (RFC 9068 section 4):
   * - `"access"` (default): access tokens with `typ` `at+jwt`, `JWT` or none (Cognito); a token
   *   carrying a claim only ID tokens carry (`nonce`, `at_hash`, `c_hash`, `s_hash`) is refused.
   * - `"at+jwt"`: only tokens whose `typ` is `at+jwt` (RFC 9068; RFC 8725 section 3.11), so an ID
   *   token is refused whatever its claims; for providers that type their access tokens
   *   (oidc-provider, Duende IdentityServer, Auth0 with its RFC 9068 token profile).
   * - `"id"`: the provider's ID tokens are the credential (Google sign-in, Cloud Run and IAP
   *   identity tokens): the ID-token claims are allowed.
   */
  tokenProfile?: "access" | "at+jwt" | "id" | undefined;
  /**
   * Milliseconds after which the keys are fetched again, and the longest a verified token is
   * answered from the cache without its key being looked at again. Default 600000 (10 minutes).
   */
  cacheMaxAge?: number | undefined;
  /**
   * Milliseconds past `cacheMaxAge` during which the loaded keys still serve: at once, while one
   * refetch runs in the background (a slow provider delays nobody), and on while refetches fail.
   * Past it, a request waits for a fetch, and keys that cannot be fetched again are not used
   * (503 `KEYS_UNAVAILABLE`). Default 86400000 (one day).
   */
  maxStale?: number | undefined;
  /** Least milliseconds between two fetches of the keys (an unknown `kid` refetches at most this often). Default 30000. */
  cooldownDuration?: number | undefined;
  /** Longest a key fetch may take, in milliseconds. Default 5000. */
  timeoutDuration?: number | undefined;
  /** Longest token string accepted, in characters. Default 8192. */
  maxTokenLength?: number | undefined;
  /** How many verified tokens to remember (`0`: no cache). At most 1,000,000. Default 10000. */
  cacheSize?: number | undefined;
  /** The current time in milliseconds since the epoch; for tests. Default `Date.now`. */
  clock?: (() => number) | undefined;
  /**
   * A revocation store for this provider's tokens (`memoryStore()`, `redisStore(client)`, or the
   * one your `AuthManager` uses: the provider's ids are kept apart from yours). With it, every use
   * of a token asks whether it was revoked (answered from memory while the store's channel is
   * up), and `backchannelLogout` can end the provider's sessions in every process.
   */
  store?: TokenStore | undefined;
  /**
   * Told of each back-channel logout after it succeeded: `{ event: "backchannelLogout", sub, sid?, at }`
   * (`sub` empty when the logout token named only a `sid`), as `AuthManager`'s `audit` option.
   */
  audit?: AuditHook | undefined;
  /**
   * With a `store`: the longest an access token of this provider lives (`exp - iat`), in seconds.
   * A back-channel logout is kept that long, and a token that claims a longer life is refused
   * (TOKEN_INVALID), so no token outlives its revocation. Default 86400 (one day).
   */
  maxTokenLifetime?: number | undefined;
}

/** A `RemoteIssuer`'s `tokenProfile`, resolved (internal: the public name is the option's type). */
export type RemoteTokenProfile = NonNullable<RemoteIssuerSettings["tokenProfile"]>;

/**
 * How a remote key set is fetched and kept (kept here, not beside `RemoteKeySet`, so the public
 * declarations never reach the node:crypto types of the signature step). Durations in
 * milliseconds, as jose names them.
 */
export interface KeySetTiming {
  /** Keys older than this are fetched again; a cached token older than this is verified again. */
  readonly cacheMaxAge: number;
  /** How long past `cacheMaxAge` the loaded keys serve on (while refetching, or while that fails). */
  readonly maxStale: number;
  /** Least time between two fetches, whatever the traffic: the bound on unknown-`kid` floods. */
  readonly cooldownDuration: number;
  /** Longest a fetch may take, body included. */
  readonly timeoutDuration: number;
  /** The current time in milliseconds; for tests. */
  readonly clock: () => number;
}

/** `RemoteIssuer.discover` options: everything but what the metadata document provides. */
export type DiscoveryOptions = Omit<RemoteIssuerSettings, "issuer">;

/** Options after validation, grouped by who uses them. */
export type ResolvedRemoteOptions = ReturnType<typeof resolveRemoteOptions>;

const OPTION_NAMES = optionNames<RemoteIssuerOptions>({
  issuer: true,
  jwksUri: true,
  keys: true,
  audience: true,
  algorithms: true,
  clockTolerance: true,
  authorizedParties: true,
  requiredClaims: true,
  tokenProfile: true,
  cacheMaxAge: true,
  maxStale: true,
  cooldownDuration: true,
  timeoutDuration: true,
  maxTokenLength: true,
  cacheSize: true,
  clock: true,
  store: true,
  audit: true,
  maxTokenLifetime: true,
});
const TOKEN_PROFILES: readonly RemoteTokenProfile[] = ["access", "at+jwt", "id"];
// Claims that tie an audience-less access token to one client of the provider.
const AUDIENCE_SUBSTITUTES = ["client_id", "token_use"];

/**
 * Checks every `RemoteIssuer` option once and fills in the defaults. Throws `JwtConfigError`
 * naming the first bad option.
 */
export function resolveRemoteOptions(options: RemoteIssuerOptions) {
  objectOf(options, "options", { names: OPTION_NAMES, kind: "a RemoteIssuer option" });
  const { issuer, audience, algorithms = ["RS256"] } = options;
  nonEmptyString(issuer, "issuer");
  if (audience === undefined) throw new JwtConfigError("audience", "is required: your API's identifier at the provider");
  if (audience !== false) nonEmptyString(audience, "audience", "must be a non-empty string, or false with requiredClaims pinning client_id or token_use");
  // The one algorithm table's asymmetric rows: a provider never shares an HMAC secret with us.
  if (!Array.isArray(algorithms) || algorithms.length === 0 || !algorithms.every((alg) => ASYMMETRIC_ALGORITHMS.includes(alg))) {
    throw new JwtConfigError("algorithms", `must be a non-empty list of ${ASYMMETRIC_ALGORITHMS.join(", ")}`);
  }
  const clock = clockOf(options.clock);
  const requiredClaims = optionalClaims(options.requiredClaims);
  if (audience === false && !AUDIENCE_SUBSTITUTES.some((claim) => requiredClaims !== undefined && Object.hasOwn(requiredClaims, claim))) {
    throw new JwtConfigError("audience", "may be false only when requiredClaims pins client_id or token_use");
  }
  const keySource = keySourceOf(options);
  const clockTolerance = wholeNumber(options.clockTolerance, LIMITS.clockTolerance, "clockTolerance");
  const parties = stringList(options.authorizedParties, "authorizedParties", /./s, "must be a non-empty list of client ids");
  return {
    /** Where the keys come from: fetched from a URL, or given once. */
    keySource,
    audience,
    algorithms: Object.freeze([...new Set(algorithms)]),
    profile: Object.freeze({
      issuer,
      // No audience: a token that names one is refused, as for AuthManager without `audience`.
      audience: audience === false ? undefined : audience,
      clockTolerance,
      authorizedParties: parties && new Set(parties),
      requiredClaims,
      tokenProfile:
        options.tokenProfile === undefined ? "access" : oneOf(options.tokenProfile, TOKEN_PROFILES, "tokenProfile", 'must be "access", "at+jwt" or "id"'),
    }),
    timing: Object.freeze<KeySetTiming>({
      cacheMaxAge: wholeNumber(options.cacheMaxAge, LIMITS.cacheMaxAge, "cacheMaxAge"),
      maxStale: wholeNumber(options.maxStale, LIMITS.maxStale, "maxStale"),
      cooldownDuration: wholeNumber(options.cooldownDuration, LIMITS.cooldownDuration, "cooldownDuration"),
      timeoutDuration: wholeNumber(options.timeoutDuration, LIMITS.timeoutDuration, "timeoutDuration"),
      clock,
    }),
    maxTokenLength: wholeNumber(options.maxTokenLength, LIMITS.maxTokenLength, "maxTokenLength"),
    cacheSize: wholeNumber(options.cacheSize, LIMITS.cacheSize, "cacheSize"),
    store: tokenStoreOf(options.store),
    audit: functionOf(options.audit, "audit"),
    /** Seconds. */
    maxTokenLifetime: wholeNumber(options.maxTokenLifetime, LIMITS.maxTokenLifetime, "maxTokenLifetime"),
  };
}

function optionalClaims(value: unknown): JsonObject | undefined {
  if (value === undefined) return undefined;
  const copy = copyJson(value);
  if (!isJsonObject(copy) || Object.keys(copy).length === 0) throw new JwtConfigError("requiredClaims", "must be a non-empty plain JSON object");
  return copy;
}
