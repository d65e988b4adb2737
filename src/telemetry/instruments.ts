import { openTelemetry, type TelemetryMeter } from "./openTelemetry.js";

// Store commands take from a fraction of a millisecond to the store's timeout (seconds).
const STORE_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

let provider: unknown;
let made: Instruments | undefined;

/**
 * The instruments on the meter of the globally registered meter provider, or `undefined` when
 * `@opentelemetry/api` is not there. Made again when the provider changes: the API gives no proxy
 * for meters, so a meter taken before the app registered its SDK would record nothing forever.
 *
 * @example
 * ```ts
 * instruments()?.refusals.add(1, { code: "TOKEN_EXPIRED" });
 * ```
 */
export function instruments(): Instruments | undefined {
  const api = openTelemetry();
  if (api === undefined) return undefined;
  const current = api.metrics.getMeterProvider();
  if (current === provider && made !== undefined) return made;
  made = instrumentsOn(current.getMeter("trpc-jwt"));
  provider = current;
  return made;
}

/** The metrics trpc-jwt records (docs/observability.md has the table). */
export type Instruments = ReturnType<typeof instrumentsOn>;

function instrumentsOn(meter: TelemetryMeter) {
  return {
    /** `trpc_jwt.refusals`, by `code`: every refusal a guard made. */
    refusals: meter.createCounter("trpc_jwt.refusals", { description: "Calls a trpc-jwt guard refused, by code" }),
    /** `trpc_jwt.cache.hits`: tokens answered by the verified-token cache. */
    cacheHits: meter.createCounter("trpc_jwt.cache.hits", { description: "Tokens answered by the verified-token cache" }),
    /** `trpc_jwt.cache.misses`: tokens the cache did not hold (verified in full). */
    cacheMisses: meter.createCounter("trpc_jwt.cache.misses", { description: "Tokens not in the verified-token cache, verified in full" }),
    /** `trpc_jwt.store.duration`, seconds, by `command` and `outcome`: each Redis command of `redisStore`. */
    storeDuration: meter.createHistogram("trpc_jwt.store.duration", {
      description: "Duration of the token store's Redis commands, by command",
      unit: "s",
      advice: { explicitBucketBoundaries: STORE_BUCKETS },
    }),
    /** `trpc_jwt.keyset.fetches`, by `outcome`: each fetch of a remote issuer's JWK Set. */
    keySetFetches: meter.createCounter("trpc_jwt.keyset.fetches", { description: "Fetches of a remote issuer's JWK Set, by outcome" }),
  };
}
