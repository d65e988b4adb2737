import type { JwtToken } from "./JwtToken.js";

/** Returned by `TokenCache.get` for a token that was verified once but has since expired. */
export const EXPIRED: unique symbol = Symbol("trpc-jwt.expired");

/**
 * Verified tokens by their exact compact string, so a repeated token costs one map lookup.
 * Bounded (oldest entry out first), and an entry is never served past its token's `exp`. Only
 * successes are stored: `offer` takes a `JwtToken`, which exists only after verification.
 *
 * A token is admitted on its second verification, not its first: a stream of tokens that are
 * each used once (the common case for a busy server's first requests, or a scan) would otherwise
 * fill the cache with entries that only cost memory and garbage collection. The "seen once"
 * filter is a fixed table of small hashes: no allocation, and a collision only admits a verified
 * token early.
 */
export class TokenCache {
  readonly #entries = new Map<string, JwtToken>();
  readonly #maxEntries: number;
  readonly #seen: Int32Array;

  constructor(maxEntries: number) {
    this.#maxEntries = maxEntries;
    this.#seen = new Int32Array(2 ** Math.ceil(Math.log2(Math.max(1024, maxEntries))));
  }

  get size(): number {
    return this.#entries.size;
  }

  /** The cached token, `EXPIRED` if it was cached but has expired (and is now dropped), or undefined. */
  get(signed: string, nowMs: number): JwtToken | typeof EXPIRED | undefined {
    const token = this.#entries.get(signed);
    if (token === undefined) return undefined;
    if (token.exp * 1000 > nowMs) return token;
    this.#entries.delete(signed);
    return EXPIRED;
  }

  /** Remembers a verified token if it has been offered before. */
  offer(token: JwtToken): void {
    const hash = tailHash(token.signed) | 1; // never 0, the empty slot
    const slot = hash & (this.#seen.length - 1);
    if (this.#seen[slot] !== hash) {
      this.#seen[slot] = hash;
      return;
    }
    if (this.#entries.size >= this.#maxEntries) {
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
    this.#entries.set(token.signed, token);
  }
}

// FNV-1a over the last 32 characters: the signature, which differs between any two tokens.
function tailHash(signed: string): number {
  let hash = 0x811c9dc5;
  for (let i = Math.max(0, signed.length - 32); i < signed.length; i++) {
    hash = Math.imul(hash ^ signed.charCodeAt(i), 0x01000193);
  }
  return hash;
}
