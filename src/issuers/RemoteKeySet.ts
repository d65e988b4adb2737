import { createRemoteJWKSet, customFetch, errors, type FlattenedJWSInput, type JWSHeaderParameters, type RemoteJWKSet } from "jose";
import { JwtError } from "../errors.js";
import { fetchJson } from "./fetchJson.js";
import { publicKeySet } from "./publicKeySet.js";

/** How a remote key set is fetched and kept. Durations in milliseconds, as jose names them. */
export interface KeySetTiming {
  /** Keys older than this are fetched again (the old ones serve on while that fails). */
  readonly cacheMaxAge: number;
  /** Least time between two fetches, whatever the traffic: the bound on unknown-`kid` floods. */
  readonly cooldownDuration: number;
  /** Longest a fetch may take, body included. */
  readonly timeoutDuration: number;
  /** The current time in milliseconds; for tests. */
  readonly clock: () => number;
}

// Real key sets are a few kilobytes (Entra ID's, with certificate chains, about 10).
const MAX_JWKS_BYTES = 256 * 1024;
// After a failed fetch, retry sooner than a full cooldown (unless the cooldown is shorter): an
// identity provider that blinked at start-up should not mean a cooldown of 503s.
const FAILED_RETRY_MS = 5_000;

type Refresh = "loaded" | "skipped" | "failed";

/**
 * An identity provider's signing keys, from its JWKS URL, through jose's remote key set (fetch,
 * timeout, key selection by `kid` and `alg`, imported-key cache). This wrapper decides when to
 * fetch: when nothing is loaded, when the keys are older than `cacheMaxAge`, and when a token
 * names a `kid` the set lacks (the provider may have rotated); never twice within the cooldown,
 * and never two fetches at once. A fetch that fails keeps the keys already loaded. Responses are
 * read as hostile: at most 256 KiB, JSON, public asymmetric keys only.
 *
 * @example
 * ```ts
 * const keys = new RemoteKeySet(new URL("https://idp.example.com/jwks"), timing);
 * await compactVerify(token, keys.resolve, { algorithms: ["RS256"] });
 * ```
 */
export class RemoteKeySet {
  readonly #jwks: RemoteJWKSet;
  readonly #timing: KeySetTiming;
  #loadedAt = Number.NEGATIVE_INFINITY;
  #attemptedAt = Number.NEGATIVE_INFINITY;
  #lastFailed = false;
  #refreshing: Promise<Refresh> | undefined;

  constructor(url: URL, timing: KeySetTiming) {
    this.#timing = timing;
    // jose never fetches on its own here (infinite age and cooldown): `#refresh` decides.
    this.#jwks = createRemoteJWKSet(url, {
      cacheMaxAge: Number.POSITIVE_INFINITY,
      cooldownDuration: Number.POSITIVE_INFINITY,
      timeoutDuration: timing.timeoutDuration,
      [customFetch]: async (href, init) => {
        const keys = publicKeySet(await fetchJson(href, { ...init, maxBytes: MAX_JWKS_BYTES }));
        if (keys === undefined) throw new Error("not a public key set");
        return Response.json(keys);
      },
    });
  }

  /**
   * The key for a token's header, for jose's `compactVerify`. Throws `JwtError("KEYS_UNAVAILABLE")`
   * when no key set can be had (nothing loaded, or the token names a `kid` the set lacks and
   * fetching it again failed); otherwise whatever jose throws (no such key, several keys).
   */
  readonly resolve = async (header: JWSHeaderParameters, token: FlattenedJWSInput): Promise<CryptoKey> => {
    if (this.#timing.clock() - this.#loadedAt >= this.#timing.cacheMaxAge) await this.#refresh();
    const loadedAt = this.#loadedAt;
    if (loadedAt === Number.NEGATIVE_INFINITY) throw new JwtError("KEYS_UNAVAILABLE");
    try {
      return await this.#jwks(header, token);
    } catch (error) {
      if (!(error instanceof errors.JWKSNoMatchingKey)) throw error;
      // A set loaded meanwhile (by another request) is looked at before anything is fetched.
      const refresh = this.#loadedAt === loadedAt ? await this.#refresh() : "loaded";
      if (refresh === "failed") throw new JwtError("KEYS_UNAVAILABLE");
      if (refresh === "skipped") throw error;
      return this.#jwks(header, token);
    }
  };

  #refresh(): Promise<Refresh> {
    if (this.#refreshing !== undefined) return this.#refreshing;
    const now = this.#timing.clock();
    const { cooldownDuration } = this.#timing;
    const gap = this.#lastFailed ? Math.min(cooldownDuration, FAILED_RETRY_MS) : cooldownDuration;
    if (now - this.#attemptedAt < gap) return Promise.resolve("skipped");
    this.#attemptedAt = now;
    const refreshing = this.#jwks.reload().then(
      (): Refresh => {
        this.#loadedAt = this.#timing.clock();
        this.#lastFailed = false;
        return "loaded";
      },
      (): Refresh => {
        this.#lastFailed = true;
        return "failed";
      },
    );
    this.#refreshing = refreshing.finally(() => (this.#refreshing = undefined));
    return this.#refreshing;
  }
}
