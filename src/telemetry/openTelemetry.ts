// `@opentelemetry/api` is an optional peer, and trpc-jwt never loads it: it reads the registry the
// API keeps on globalThis, under `Symbol.for("opentelemetry.js.api.1")` (the API's own mechanism
// for sharing one registered SDK between every copy of the package of major version 1, in
// api/src/internal/global-utils.ts). Whatever copy the app registered its SDK with (from
// node_modules, ESM or CJS, or bundled into the app and deployed without node_modules, or in a
// Worker), trpc-jwt sees its context manager and meter provider there. Why not load the package
// (docs/observability.md, "How the API is found"):
// - A static import would make the peer required, and fail to load where it is missing.
// - A dynamic import() or `require` resolves the package from trpc-jwt's location: in a bundle
//   deployed without node_modules it finds nothing, and Workers have neither; a non-literal
//   import() is refused by Workers' module loader, and a literal one is resolved by bundlers.
// - Nothing is lost: without a registered SDK the API itself records nothing (no active span, a
//   no-op meter), so where the registry is absent there is nothing to record.
// Each recording starts with one read of that global property.

/** The attributes trpc-jwt records: fixed names, string values (never token text or key material). */
export type TelemetryAttributes = Readonly<Record<string, string>>;

/** What trpc-jwt uses of an OpenTelemetry span. */
export interface TelemetrySpan {
  setAttribute(key: string, value: string): unknown;
  addEvent(name: string, attributes: TelemetryAttributes): unknown;
  setStatus(status: { code: number; message?: string }): unknown;
}

/** What trpc-jwt uses of an OpenTelemetry meter. */
export interface TelemetryMeter {
  createCounter(name: string, options: { description: string; unit?: string }): { add(value: number, attributes?: TelemetryAttributes): void };
  createHistogram(
    name: string,
    options: { description: string; unit: string; advice?: { explicitBucketBoundaries: number[] } },
  ): { record(value: number, attributes?: TelemetryAttributes): void };
}

/** The part of `@opentelemetry/api` trpc-jwt uses, declared here so that its types never name the optional peer. */
export interface OpenTelemetryApi {
  readonly trace: { getActiveSpan(): TelemetrySpan | undefined };
  readonly metrics: { getMeterProvider(): { getMeter(name: string): TelemetryMeter } };
}

/** The part of the API's global registry trpc-jwt reads (each entry present once registered). */
interface Registry {
  /** The context manager (`context.setGlobalContextManager`): what is active now. */
  readonly context?: { active(): { getValue(key: symbol): unknown } };
  /** The meter provider (`metrics.setGlobalMeterProvider`). */
  readonly metrics?: { getMeter(name: string): TelemetryMeter };
}

// The API's registry for major version 1, and the context key of the active span (the API makes
// its context keys with Symbol.for, so that every copy shares them).
const REGISTRY = Symbol.for("opentelemetry.js.api.1");
const SPAN_KEY = Symbol.for("OpenTelemetry Context Key SPAN");
// What the API answers while no meter provider is registered: instruments that record nothing.
const NOTHING = { add: () => undefined, record: () => undefined };
const NO_METERS = { getMeter: (): TelemetryMeter => ({ createCounter: () => NOTHING, createHistogram: () => NOTHING }) };

let seen: Registry | undefined;
let found: OpenTelemetryApi | undefined;
let replaced: { readonly api: OpenTelemetryApi | undefined } | undefined;

/**
 * The registered OpenTelemetry SDK as trpc-jwt uses it, else `undefined` (no app code has
 * registered anything through `@opentelemetry/api`): every recording starts with this check.
 *
 * @example
 * ```ts
 * openTelemetry()?.trace.getActiveSpan()?.setAttribute("trpc_jwt.token_type", "auth");
 * ```
 */
export function openTelemetry(): OpenTelemetryApi | undefined {
  if (replaced !== undefined) return replaced.api;
  const registry = (globalThis as { [REGISTRY]?: Registry })[REGISTRY];
  if (registry !== seen) {
    seen = registry;
    found = registry === undefined ? undefined : readerOf(registry);
  }
  return found;
}

/**
 * Replaces what `openTelemetry()` answers (`undefined`: as if nothing were registered). For
 * benchmarks that compare with and without it in one process; module-internal, not exported
 * from the package.
 *
 * @example
 * ```ts
 * useOpenTelemetry(undefined); // the "API absent" row of the telemetry benchmark
 * ```
 */
export function useOpenTelemetry(value: OpenTelemetryApi | undefined): void {
  replaced = { api: value };
}

// Reads the registry at each call, as the API does: an SDK registered, replaced or disabled later
// is seen at once.
function readerOf(registry: Registry): OpenTelemetryApi {
  return {
    trace: { getActiveSpan: () => (registry.context?.active().getValue(SPAN_KEY) as TelemetrySpan | undefined) ?? undefined },
    metrics: { getMeterProvider: () => registry.metrics ?? NO_METERS },
  };
}
