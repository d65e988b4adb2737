import { createRemoteJWKSet, customFetch, errors, type JWSHeaderParameters, type RemoteJWKSet } from "jose";
import { JwtError } from "../errors.js";
import { nodeCrypto } from "../keys/nodeCrypto.js";
import { createJwsVerifier, type JwsVerifier } from "../tokens/verifyCompactJws.js";
import { fetchJson } from "./fetchJson.js";
import { publicKeySet } from "./publicKeySet.js";
import type { KeySetTiming, RemoteAlgorithm } from "./remoteIssuerOptions.js";

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
 * Each key gets the same signature step as `AuthManager`'s (node:crypto where available, else
 * jose), kept per `alg` and `kid` until the next key set arrives: a known key costs a map lookup.
 *
 * @example
 * ```ts
 * const keys = new RemoteKeySet(new URL("https://idp.example.com/jwks"), timing);
 * const verified = await (await keys.verifierFor("RS256", kid))(token);
 * ```
 */
export class RemoteKeySet {
  readonly #jwks: RemoteJWKSet;
  readonly #timing: KeySetTiming;
  #loadedAt = Number.NEGATIVE_INFINITY;
  #attemptedAt = Number.NEGATIVE_INFINITY;
  #lastFailed = false;
  #refreshing: Promise<Refresh> | undefined;
  // Signature steps by alg and kid, for the key set loaded at #loadedAt; only kids the set has.
  #verifiers = new Map<string, JwsVerifier>();

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
   * The signature step for a token whose (unverified) header names `alg` and `kid`: returned as
   * is for a key seen before while the set is fresh, else a promise. Throws (or rejects with)
   * `JwtError("KEYS_UNAVAILABLE")` when no key set can be had (nothing loaded, or the token names
   * a `kid` the set lacks and fetching it again failed); anything else thrown means no usable
   * key (an unknown `kid`, several candidates, a key too weak for `alg`).
   */
  verifierFor(alg: RemoteAlgorithm, kid: string | undefined): JwsVerifier | Promise<JwsVerifier> {
    const id = `${alg} ${kid ?? ""}`;
    const known = this.#verifiers.get(id);
    if (known !== undefined && this.#timing.clock() - this.#loadedAt < this.#timing.cacheMaxAge) return known;
    const verifiers = this.#verifiers;
    return this.#resolve(kid === undefined ? { alg } : { alg, kid }).then((key) => {
      // Throws for a key that cannot be alg's (an RSA key under 2048 bits, another curve).
      const verifier = createJwsVerifier(alg, { keyObject: nodeCrypto?.KeyObject.from(key), joseKey: key });
      // Unless a new key set replaced the map meanwhile: a key it dropped must not come back.
      if (verifiers === this.#verifiers) verifiers.set(id, verifier);
      return verifier;
    });
  }

  async #resolve(header: JWSHeaderParameters): Promise<CryptoKey> {
    if (this.#timing.clock() - this.#loadedAt >= this.#timing.cacheMaxAge) await this.#refresh();
    const loadedAt = this.#loadedAt;
    if (loadedAt === Number.NEGATIVE_INFINITY) throw new JwtError("KEYS_UNAVAILABLE");
    try {
      return await this.#jwks(header);
    } catch (error) {
      if (!(error instanceof errors.JWKSNoMatchingKey)) throw error;
      // A set loaded meanwhile (by another request) is looked at before anything is fetched.
      const refresh = this.#loadedAt === loadedAt ? await this.#refresh() : "loaded";
      if (refresh === "failed") throw new JwtError("KEYS_UNAVAILABLE");
      if (refresh === "skipped") throw error;
      return this.#jwks(header);
    }
  }

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
        this.#verifiers = new Map();
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
