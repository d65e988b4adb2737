import type { JwtToken } from "./JwtToken.js";

/** Returned by `TokenCache.get` for a token that was verified once but has since expired. */
export const EXPIRED: unique symbol = Symbol("trpc-jwt.expired");

/**
 * Verified tokens by their exact compact string, so a repeated token costs one map lookup.
 * Bounded (oldest entry out first), and an entry is never served past its token's `exp`. Only
 * successes are stored: `set` takes a `JwtToken`, which exists only after verification.
 */
export class TokenCache {
  readonly #entries = new Map<string, JwtToken>();
  readonly #maxEntries: number;

  constructor(maxEntries: number) {
    this.#maxEntries = maxEntries;
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

  set(token: JwtToken): void {
    if (this.#entries.size >= this.#maxEntries) {
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
    this.#entries.set(token.signed, token);
  }
}
