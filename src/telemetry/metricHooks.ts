import { quietly } from "./callHook.js";
import { instruments } from "./instruments.js";
import { openTelemetry } from "./openTelemetry.js";

/** How a fetch of a remote issuer's JWK Set ended: a usable set, a document that is none, or no document. */
export type KeySetFetchOutcome = "ok" | "invalid" | "error";

/**
 * Where the token cache, the Redis store and the remote key sets record their metrics, when
 * `@opentelemetry/api` is installed (see `instruments`). Without it each is one check of a variable:
 * nothing is timed, nothing allocated. A failing SDK never changes an answer (see `quietly`).
 *
 * @example
 * ```ts
 * metricHooks.cacheLookup(found !== undefined);
 * return metricHooks.storeCommand("GET", reply);
 * metricHooks.keySetFetch("ok");
 * ```
 */
export const metricHooks = {
  /** A verification that asked the verified-token cache: `trpc_jwt.cache.hits` or `.misses`. */
  cacheLookup(hit: boolean): void {
    if (openTelemetry() !== undefined) quietly(() => instruments()?.[hit ? "cacheHits" : "cacheMisses"].add(1));
  },

  /**
   * `reply` as is; when metrics are on, its duration is recorded in `trpc_jwt.store.duration`
   * with `command` (a script's name, else the Redis command) and `outcome` (`ok` or `error`).
   */
  storeCommand<T>(command: string, reply: Promise<T>): Promise<T> {
    if (openTelemetry() === undefined) return reply;
    const started = performance.now();
    const record = (outcome: string) => quietly(() => instruments()?.storeDuration.record((performance.now() - started) / 1000, { command, outcome }));
    reply.then(
      () => record("ok"),
      () => record("error"),
    );
    return reply;
  },

  /** A fetch of a remote issuer's JWK Set, counted in `trpc_jwt.keyset.fetches` by `outcome`. */
  keySetFetch(outcome: KeySetFetchOutcome): void {
    quietly(() => instruments()?.keySetFetches.add(1, { outcome }));
  },
};
