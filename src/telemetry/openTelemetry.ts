// `@opentelemetry/api` is an optional peer: found at run time, never imported statically, so the
// package loads and works without it on every runtime (Node, Bun, Deno, Workers) and in every
// bundle. Why this way and not another (docs/observability.md, "How the API is found"):
// - A static import would make the peer required, and fail to load where it is missing.
// - Top-level await of the import would stall every importer of the package until it settles, and
//   breaks bundles and runtimes without top-level await.
// - So the import starts once, when this module loads, and its result is used once it has
//   arrived. The specifier is a variable with the bundlers' ignore comments: webpack, Vite and
//   esbuild leave it to the runtime (a literal would be bundled when present, and fail the build
//   when absent). Where the runtime cannot import from node_modules (a Worker bundle), the import
//   fails quietly and there is no telemetry, as without the package.
// The API keeps its state (the registered SDK) on a global, versioned symbol, so this copy and the
// app's own copy of `@opentelemetry/api` see the same tracer and meter providers.

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

const PEER = "@opentelemetry/api";
let api: OpenTelemetryApi | undefined;

/**
 * `@opentelemetry/api` once it has been found, else `undefined` (not installed, not loadable on
 * this runtime, or not loaded yet): every recording starts with this check and nothing else.
 *
 * @example
 * ```ts
 * openTelemetry()?.trace.getActiveSpan()?.setAttribute("trpc_jwt.token_type", "auth");
 * ```
 */
export function openTelemetry(): OpenTelemetryApi | undefined {
  return api;
}

/**
 * Settles once the search for `@opentelemetry/api` is over, found or not; never rejects. Tests
 * and benchmarks await it; the library itself never waits for it.
 *
 * @example
 * ```ts
 * await openTelemetryLoaded;
 * ```
 */
export const openTelemetryLoaded: Promise<void> = import(/* webpackIgnore: true */ /* @vite-ignore */ PEER).then(
  (module: unknown) => {
    if (isApi(module)) api = module;
  },
  () => undefined,
);

/**
 * Replaces the API found (`undefined`: as if it were not installed). For tests and benchmarks
 * that compare with and without it in one process; module-internal, not exported from the package.
 *
 * @example
 * ```ts
 * await openTelemetryLoaded;
 * useOpenTelemetry(undefined); // the "API absent" row of the telemetry benchmark
 * ```
 */
export function useOpenTelemetry(value: OpenTelemetryApi | undefined): void {
  api = value;
}

function isApi(module: unknown): module is OpenTelemetryApi {
  const { trace, metrics } = (module ?? {}) as { trace?: { getActiveSpan?: unknown }; metrics?: { getMeterProvider?: unknown } };
  return typeof trace?.getActiveSpan === "function" && typeof metrics?.getMeterProvider === "function";
}
