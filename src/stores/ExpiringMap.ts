/**
 * A map whose entries disappear at their expiry time: gone on read once expired, and swept out
 * at most a minute after, so a map that is only written to stays bounded by its live entries.
 */
export class ExpiringMap<V> {
  readonly #entries = new Map<string, { value: V; expiresAtMs: number }>();
  readonly #clock: () => number;
  #nextSweepMs = 0;

  constructor(clock: () => number) {
    this.#clock = clock;
  }

  get size(): number {
    return this.#entries.size;
  }

  get(key: string): V | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAtMs > this.#clock()) return entry.value;
    this.#entries.delete(key);
    return undefined;
  }

  /** The entry's expiry, for an entry that is still live. */
  expiresAt(key: string): number | undefined {
    return this.get(key) === undefined ? undefined : this.#entries.get(key)?.expiresAtMs;
  }

  set(key: string, value: V, expiresAtMs: number): void {
    const now = this.#clock();
    if (now >= this.#nextSweepMs) this.#sweep(now);
    if (expiresAtMs <= now) this.#entries.delete(key);
    else this.#entries.set(key, { value, expiresAtMs });
  }

  /**
   * `set`, but a live entry keeps its expiry when that is later: what is kept as long as the
   * longest of the things it concerns. A live entry is updated in place (one lookup, nothing
   * allocated: a subject's entry is extended on every login).
   */
  extend(key: string, value: V, expiresAtMs: number): void {
    const now = this.#clock();
    const entry = this.#entries.get(key);
    if (entry === undefined || entry.expiresAtMs <= now || now >= this.#nextSweepMs) {
      this.set(key, value, Math.max(expiresAtMs, entry !== undefined && entry.expiresAtMs > now ? entry.expiresAtMs : 0));
      return;
    }
    entry.value = value;
    if (expiresAtMs > entry.expiresAtMs) entry.expiresAtMs = expiresAtMs;
  }

  delete(key: string): void {
    this.#entries.delete(key);
  }

  #sweep(now: number): void {
    this.#nextSweepMs = now + 60_000;
    for (const [key, entry] of this.#entries) if (entry.expiresAtMs <= now) this.#entries.delete(key);
  }
}
