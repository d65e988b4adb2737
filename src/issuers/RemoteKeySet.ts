import { createLocalJWKSet, errors, type CryptoKey, type JSONWebKeySet, type JWK } from "jose";
import { JwtConfigError, JwtError } from "../errors.js";
import { nodeCrypto } from "../keys/nodeCrypto.js";
import { createSignatureStep, type SignatureStep } from "../tokens/createSignatureStep.js";
import { fetchJson } from "./fetchJson.js";
import { metricHooks, type KeySetFetchOutcome } from "../telemetry/metricHooks.js";
import { publicKeySet } from "./publicKeySet.js";
import type { KeySetTiming, RemoteAlgorithm } from "./remoteIssuerOptions.js";

// Real key sets are a few kilobytes (Entra ID's, with certificate chains, about 10).
const MAX_JWKS_BYTES = 256 * 1024;
// After a failed fetch, retry sooner than a full cooldown (unless the cooldown is shorter): an
// identity provider that blinked at start-up should not mean a cooldown of 503s.
const FAILED_RETRY_MS = 5_000;

type Refresh = "loaded" | "skipped" | "failed";

/**
 * One key the provider publishes, the same object for as long as the provider keeps publishing
 * it (compared by its JSON text across loads). `retired` once a loaded set no longer has it:
 * whatever it verified must not be answered from a cache any more.
 */
export interface PublishedKey {
  readonly retired: boolean;
}

/** A signature step and the published key it checks with. */
export interface KeyVerifier {
  readonly verify: SignatureStep;
  readonly key: PublishedKey;
}

interface LoadedSet {
  /** When it arrived (clock milliseconds); `+Infinity` for keys given once, which never age. */
  readonly at: number;
  /** Each key alone, so the one a header selects is known by identity. */
  readonly keys: readonly { readonly key: PublishedKey; readonly select: ReturnType<typeof createLocalJWKSet> }[];
  /** Signature steps by `alg kid`, built on first use; only for this set. */
  readonly verifiers: Map<string, KeyVerifier>;
}

/**
 * An identity provider's signing keys: fetched from its JWKS URL, or given once (`keys`). Key
 * selection by `kid` and `alg` is jose's (`createLocalJWKSet`), applied to each key alone so
 * that exactly one must fit. This class decides when to fetch: when nothing is loaded, when the
 * keys are older than `cacheMaxAge`, and when a token names a `kid` the set lacks (the provider
 * may have rotated); never twice within the cooldown, and never two fetches at once. Between
 * `cacheMaxAge` and `cacheMaxAge + maxStale` a known key serves at once while one refetch runs
 * in the background; past that, a request waits for the fetch and stale keys are not used. A
 * fetch that fails keeps the keys already loaded (within that bound). Responses are read as
 * hostile: at most 256 KiB, JSON, public asymmetric keys only.
 *
 * Each key gets the same signature step as `AuthManager`'s (node:crypto where available, else
 * jose), kept per `alg` and `kid` until the next key set arrives: a known key costs a map lookup.
 *
 * @example
 * ```ts
 * const keys = new RemoteKeySet(new URL("https://idp.example.com/jwks"), timing);
 * const { verify } = await keys.verifierFor("RS256", kid);
 * ```
 */
export class RemoteKeySet {
  readonly #url: URL | undefined;
  /** How the keys are fetched and kept; a token verified with them is cached for at most `cacheMaxAge`. */
  readonly timing: KeySetTiming;
  #loaded: LoadedSet | undefined;
  // Every key of the loaded set by its JSON text, so a key kept across loads keeps its identity.
  #published = new Map<string, { retired: boolean }>();
  #attemptedAt = Number.NEGATIVE_INFINITY;
  #lastFailed = false;
  #refreshing: Promise<Refresh> | undefined;

  constructor(source: URL | JSONWebKeySet, timing: KeySetTiming) {
    this.timing = timing;
    if (source instanceof URL) this.#url = source;
    else if (!this.#load(source, Number.POSITIVE_INFINITY)) throw new JwtConfigError("keys", "must be a well-formed JWK Set");
  }

  /**
   * The signature step for a token whose (unverified) header names `alg` and `kid`: returned as
   * is for a key seen before while the set is fresh (or within `maxStale`, refetching meanwhile),
   * else a promise. Throws (or rejects with) `JwtError("KEYS_UNAVAILABLE")` when no key set can
   * be had (nothing loaded, the loaded one past `maxStale`, or the token names a `kid` the set
   * lacks and fetching it again failed); anything else thrown means no usable key (an unknown
   * `kid`, several candidates, a key too weak for `alg`).
   */
  verifierFor(alg: RemoteAlgorithm, kid: string | undefined): KeyVerifier | Promise<KeyVerifier> {
    if (this.#isStale()) return this.#resolve(alg, kid);
    // Stale while revalidating: this request does not wait for a slow provider.
    if (this.#age() >= this.timing.cacheMaxAge) void this.#refresh();
    return this.#loaded?.verifiers.get(`${alg} ${kid ?? ""}`) ?? this.#resolve(alg, kid);
  }

  #age(): number {
    return this.#loaded === undefined ? Number.POSITIVE_INFINITY : this.timing.clock() - this.#loaded.at;
  }

  // Past `cacheMaxAge + maxStale` (or nothing loaded): the keys must not be used before a fetch.
  #isStale(): boolean {
    return this.#age() >= this.timing.cacheMaxAge + this.timing.maxStale;
  }

  async #resolve(alg: RemoteAlgorithm, kid: string | undefined): Promise<KeyVerifier> {
    if (this.#isStale()) await this.#refresh();
    const loaded = this.#loaded;
    if (loaded === undefined || this.#isStale()) throw new JwtError("KEYS_UNAVAILABLE");
    try {
      return await this.#verifierFrom(loaded, alg, kid);
    } catch (error) {
      if (!(error instanceof errors.JWKSNoMatchingKey)) throw error;
      // A set loaded meanwhile (by another request) is looked at before anything is fetched.
      const refresh = this.#loaded === loaded ? await this.#refresh() : "loaded";
      if (refresh === "failed") throw new JwtError("KEYS_UNAVAILABLE");
      if (refresh === "skipped") throw error;
      return this.#verifierFrom(this.#loaded as LoadedSet, alg, kid);
    }
  }

  async #verifierFrom(loaded: LoadedSet, alg: RemoteAlgorithm, kid: string | undefined): Promise<KeyVerifier> {
    const header = kid === undefined ? { alg } : { alg, kid };
    const fitting = (await Promise.all(loaded.keys.map(({ key, select }) => select(header).then((cryptoKey) => ({ key, cryptoKey }), unlessNoMatch)))).filter(
      (fit) => fit !== undefined,
    );
    if (fitting.length === 0) throw new errors.JWKSNoMatchingKey();
    if (fitting.length > 1) throw new errors.JWKSMultipleMatchingKeys();
    const { key, cryptoKey } = fitting[0] as { key: PublishedKey; cryptoKey: CryptoKey };
    // Throws for a key that cannot be alg's (an RSA key under 2048 bits, another curve).
    const verifier = { verify: createSignatureStep(alg, { keyObject: nodeCrypto?.KeyObject.from(cryptoKey), joseKey: cryptoKey }), key };
    // Kept with the set it came from: a key a newer set dropped never comes back through it.
    loaded.verifiers.set(`${alg} ${kid ?? ""}`, verifier);
    return verifier;
  }

  #refresh(): Promise<Refresh> {
    const url = this.#url;
    if (url === undefined) return Promise.resolve("skipped");
    if (this.#refreshing !== undefined) return this.#refreshing;
    const now = this.timing.clock();
    const { cooldownDuration, timeoutDuration } = this.timing;
    const gap = this.#lastFailed ? Math.min(cooldownDuration, FAILED_RETRY_MS) : cooldownDuration;
    if (now - this.#attemptedAt < gap) return Promise.resolve("skipped");
    this.#attemptedAt = now;
    const refreshing = fetchJson(url, timeoutDuration, MAX_JWKS_BYTES).then(
      (document): Refresh => {
        const keys = publicKeySet(document);
        if (keys === undefined || !this.#load(keys, this.timing.clock())) return this.#failed("invalid");
        this.#lastFailed = false;
        metricHooks.keySetFetch("ok");
        return "loaded";
      },
      () => this.#failed("error"),
    );
    this.#refreshing = refreshing.finally(() => (this.#refreshing = undefined));
    return this.#refreshing;
  }

  #failed(outcome: KeySetFetchOutcome): Refresh {
    metricHooks.keySetFetch(outcome);
    this.#lastFailed = true;
    return "failed";
  }

  // Makes `set` the loaded one, retiring the keys it no longer has; false for a malformed set.
  #load(set: JSONWebKeySet, at: number): boolean {
    const published = new Map<string, { retired: boolean }>();
    let keys: LoadedSet["keys"];
    try {
      keys = set.keys.map((jwk: JWK) => {
        const text = JSON.stringify(jwk);
        const key = published.get(text) ?? this.#published.get(text) ?? { retired: false };
        published.set(text, key);
        return { key, select: createLocalJWKSet({ keys: [jwk] }) };
      });
    } catch {
      return false;
    }
    for (const [text, key] of this.#published) if (!published.has(text)) key.retired = true;
    this.#published = published;
    this.#loaded = { at, keys, verifiers: new Map() };
    return true;
  }
}

// A key that does not fit the header is no candidate; any other failure (an unusable key that
// fits) refuses the token.
function unlessNoMatch(error: unknown): undefined {
  if (error instanceof errors.JWKSNoMatchingKey) return undefined;
  throw error;
}
