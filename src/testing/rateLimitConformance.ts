// The rate-limit part of the conformance suite, for stores that count (the optional
// `RateLimitStore` method): run by `storeConformance` itself.
import { sleep, viewsWith, type ConformanceRunner, type StoreUnderTest } from "./conformanceKit.js";

/**
 * The behaviour of a store's rate-limit counter: a sliding window, counted atomically across
 * views, refused calls not counted, and the wait until the oldest call leaves the window.
 * Called by `storeConformance`; each case passes at once for a store without the counter.
 *
 * @example
 * ```ts
 * rateLimitConformance({ open: async () => memoryStore() }, { it, expect });
 * ```
 */
export function rateLimitConformance(target: StoreUnderTest, { it, expect }: ConformanceRunner): void {
  const open = viewsWith(target, ["hitRateLimit"]);

  it("counts a rate limit atomically: of 40 concurrent calls through two views exactly the limit pass, the rest wait under the window", async () => {
    const [a, b] = [await open(), await open()];
    if (a === undefined || b === undefined) return;
    const key = `rl-${globalThis.crypto.randomUUID()}`;
    const hits = await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? a : b).hitRateLimit(key, 7, 60_000)));
    expect(hits.filter(({ allowed }) => allowed)).toHaveLength(7);
    for (const { retryAfterMs } of hits.filter(({ allowed }) => !allowed)) {
      expect(retryAfterMs).toBeGreaterThan(0);
      expect(retryAfterMs).toBeLessThan(60_001);
    }
    expect((await a.hitRateLimit(`${key}-other`, 7, 60_000)).allowed).toBe(true);
  });

  it("lets calls in again once the oldest counted one has left the window", async () => {
    const store = await open();
    if (store === undefined) return;
    const key = `rl-${globalThis.crypto.randomUUID()}`;
    expect((await store.hitRateLimit(key, 1, 150)).allowed).toBe(true);
    expect((await store.hitRateLimit(key, 1, 150)).allowed).toBe(false);
    await sleep(200);
    expect((await store.hitRateLimit(key, 1, 150)).allowed).toBe(true);
  });
}
