import type { JwtToken } from "./JwtToken.js";

/** Returned by `TokenCache.get` for a token that was verified once but has since expired. */
export const EXPIRED: unique symbol = Symbol("trpc-jwt.expired");

/**
 * The memory budget per entry, on average: the cache holds at most `maxEntries` tokens and at
 * most `maxEntries * BYTES_PER_ENTRY` estimated bytes, so large tokens (up to `maxTokenLength`)
 * cannot multiply its footprint by twenty. A typical token (300 to 1,000 characters) is estimated
 * at 1.5 to 3.5 KiB; one of 8,192 characters at 25 KiB.
 */
export const BYTES_PER_ENTRY = 2048;
// Estimated heap per entry: the token string (one byte per character), its decoded claims
// (prototype-free objects are hash tables: about twice the payload text) and the JwtToken, entry
// and map slot. Measured (bench/soak.ts --padded-cookies, Node 20): 10,000 entries of
// 262-character tokens with 8 claims retain 13.6 MiB, 1,430 bytes each; estimated 1,386.
const BYTES_PER_CHARACTER = 3;
const BYTES_PER_OBJECT = 600;

interface Entry {
  readonly token: JwtToken;
  readonly bytes: number;
  /** Served since the eviction hand last passed: gets a second chance instead of being evicted. */
  hot: boolean;
}

/**
 * Verified tokens, served only for their exact compact string, so a repeated token costs one
 * map lookup. An entry is never served past its token's `exp`. Only successes are stored: a
 * verifier calls `offer` with the `JwtToken` it has just verified.
 *
 * Bounded by entries and by estimated bytes. Eviction keeps hot entries (CLOCK, the second-chance
 * approximation of least-recently-used): an entry served since the eviction hand last passed it
 * goes round again, so one user minting thousands of tokens only evicts tokens nobody reuses,
 * never the entries other users keep hitting. A hit only sets a flag: no reordering on the hot path.
 * When full, a newcomer is admitted only in place of a cold entry: one the hand finds hot is cooled
 * and the newcomer turned away, and a newcomer enters hot (one pass of grace), so traffic that comes
 * back beyond the cache's reach keeps the entries in use serving instead of evicting one per token.
 *
 * A token is admitted on its second verification, not its first: a stream of tokens that are
 * each used once (the common case for a busy server's first requests, or a scan) would otherwise
 * fill the cache with entries that only cost memory and garbage collection. The "seen once"
 * filter is a fixed Bloom filter (two bits per token, 32 bits per entry of the cache), cleared
 * after every `4 * maxEntries` tokens it records: no allocation, a false positive only admits a
 * verified token early, and unlike a table of hashes two tokens never keep erasing each other's
 * mark (which kept some tokens out for good, however often they came back).
 *
 * @example
 * ```ts
 * const cache = new TokenCache(10_000);
 * const build = (signed: string) => new JwtToken(claims, signed);
 * cache.offer(signed, build); cache.offer(signed, build); // admitted on second sight
 * cache.get(signed, Date.now());          // the token, EXPIRED, or undefined
 * ```
 */
export class TokenCache {
  // Keyed by a hash of the token's last characters, not by the token: a Map keyed by strings
  // hashes all of a new string (every request's token is one), a cost the first-seen path would
  // pay on every miss. A hit is confirmed against the whole token: two tokens whose hashes
  // collide are never served for each other, they only take turns in one slot.
  readonly #entries = new Map<number, Entry>();
  readonly #maxEntries: number;
  readonly #maxBytes: number;
  readonly #seen: Int32Array;
  readonly #seenLimit: number;
  #seenCount = 0;
  #bytes = 0;

  constructor(maxEntries: number, maxBytes = maxEntries * BYTES_PER_ENTRY) {
    this.#maxEntries = maxEntries;
    this.#maxBytes = maxBytes;
    // 32 bits per entry, a power of two; at most 4 tokens per 32 bits before clearing: under 5%
    // false positives.
    this.#seen = new Int32Array(2 ** Math.ceil(Math.log2(Math.max(1024, maxEntries))));
    this.#seenLimit = 4 * Math.max(1024, maxEntries);
  }

  /** Entries held. */
  get size(): number {
    return this.#entries.size;
  }

  /** Estimated bytes held (see `BYTES_PER_ENTRY`). */
  get bytes(): number {
    return this.#bytes;
  }

  /** The cached token, `EXPIRED` if it was cached but has expired (and is now dropped), or undefined. */
  get(signed: string, nowMs: number): JwtToken | typeof EXPIRED | undefined {
    const key = tailHash(signed);
    const entry = this.#entries.get(key);
    if (entry === undefined || entry.token.signed !== signed) return undefined;
    if (entry.token.exp * 1000 > nowMs) {
      entry.hot = true;
      return entry.token;
    }
    this.#entries.delete(key);
    this.#bytes -= entry.bytes;
    return EXPIRED;
  }

  /** Drops the entry of `signed`, if any: its verifier no longer vouches for it. */
  delete(signed: string): void {
    const key = tailHash(signed);
    const entry = this.#entries.get(key);
    if (entry === undefined || entry.token.signed !== signed) return;
    this.#entries.delete(key);
    this.#bytes -= entry.bytes;
  }

  /**
   * The token just verified from `signed`, made by `build`; kept when `signed` was offered before.
   * Only a kept token is built on a copy of `signed` of its own (see `ownCopy`): a token used
   * once lives as long as its request, and copying it would be wasted work on the first-seen path.
   */
  offer(signed: string, build: (signed: string) => JwtToken): JwtToken {
    const key = tailHash(signed);
    if (!this.#seenBefore(key)) return build(signed);
    const token = build(ownCopy(signed));
    this.#keep(key, token);
    return token;
  }

  #keep(key: number, token: JwtToken): void {
    const held = this.#entries.get(key);
    if (held !== undefined) {
      // The same token verified twice at once: count it once. Another token with this hash
      // (about 1 in 430,000 new tokens against 10,000 entries): it takes the slot unless the
      // holder has been served since the eviction hand last passed.
      if (held.token.signed === token.signed || held.hot) return;
      this.#entries.delete(key);
      this.#bytes -= held.bytes;
    }
    const bytes = BYTES_PER_OBJECT + BYTES_PER_CHARACTER * token.signed.length;
    if (bytes > this.#maxBytes || this.#maxEntries < 1) return;
    while (this.#entries.size >= this.#maxEntries || this.#bytes + bytes > this.#maxBytes) {
      if (!this.#evictOne()) return;
    }
    // Admitted hot: a newcomer is not the next one evicted before it could be served once.
    this.#entries.set(key, { token, bytes, hot: true });
    this.#bytes += bytes;
  }

  // Whether both bits of `hash` were set; sets them. The second bit comes from a remix of the hash.
  #seenBefore(hash: number): boolean {
    const mask = this.#seen.length * 32 - 1;
    const a = hash & mask;
    const b = Math.imul(hash ^ (hash >>> 15), 0x2c1b3c6d) & mask;
    const seen = this.#bit(a) && this.#bit(b);
    if (seen) return true;
    this.#seen[a >>> 5]! |= 1 << (a & 31);
    this.#seen[b >>> 5]! |= 1 << (b & 31);
    if (++this.#seenCount >= this.#seenLimit) {
      this.#seen.fill(0);
      this.#seenCount = 0;
    }
    return false;
  }

  #bit(index: number): boolean {
    return ((this.#seen[index >>> 5] as number) & (1 << (index & 31))) !== 0;
  }

  // Admission when full (issue 26): the hand looks at the oldest entry. A cold one (not served
  // since the hand last passed) is evicted for the newcomer. A hot one is cooled and moved to the
  // back, and the newcomer is turned away: an entry in use is worth more than a token seen twice.
  // Without this, traffic that comes back beyond the cache's reach (a cycle of 16,384 tokens over
  // 10,000 entries) evicted an entry for every token and hit none, at 2.3 times the cost of no
  // cache (measured); now the entries in use stay and serve. Abandoned entries still go: the
  // hand cools each one it turns a newcomer away at, and evicts it on its next visit unless it
  // was served in between. False when the newcomer is turned away.
  #evictOne(): boolean {
    for (const [key, entry] of this.#entries) {
      this.#entries.delete(key);
      if (entry.hot) {
        entry.hot = false;
        this.#entries.set(key, entry);
        return false;
      }
      this.#bytes -= entry.bytes;
      return true;
    }
    return true;
  }
}

// A token cut out of a header (`split`, `slice`, a regex match) is a V8 sliced string: kept as
// is, a cached token would keep the whole Cookie header alive (16 KiB padding: 160 MiB for
// 10,000 cached tokens). Encoding and decoding copies the characters into a string of its own;
// encoding into one reused buffer (8192 characters, the default maxTokenLength, at most 3 bytes
// each) saves an allocation per token.
const ENCODER = new TextEncoder();
const DECODER = new TextDecoder();
const SCRATCH = new Uint8Array(3 * 8192);
function ownCopy(signed: string): string {
  if (3 * signed.length > SCRATCH.length) return DECODER.decode(ENCODER.encode(signed));
  const { written } = ENCODER.encodeInto(signed, SCRATCH);
  return DECODER.decode(SCRATCH.subarray(0, written));
}

/**
 * FNV-1a over the last 12 characters, some 70 bits of the signature: the cache's key and the
 * "seen once" filter's. Module-internal (exported for tests).
 */
export function tailHash(signed: string): number {
  let hash = 0x811c9dc5;
  for (let i = Math.max(0, signed.length - 12); i < signed.length; i++) {
    hash = Math.imul(hash ^ signed.charCodeAt(i), 0x01000193);
  }
  return hash;
}
