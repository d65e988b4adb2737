// `@opentelemetry/api` is an optional peer: looked up at run time, never imported statically, so
// the package loads and works without it on every runtime (Node, Bun, Deno, Workers) and in every
// bundle. Why this way and not another (docs/observability.md, "How the API is found"):
// - A static import would make the peer required, and fail to load where it is missing.
// - Top-level await of a dynamic import would stall every importer of the package until the
//   lookup settles, and breaks bundles and runtimes without top-level await; a dynamic import()
//   left unawaited still puts an import expression in the bundle, which Workers' module loader
//   (miniflare, wrangler) refuses to load when its specifier is not a literal, and bundlers try to
//   resolve (and fail on) when it is.
// - So the lookup is synchronous, when this module loads, through Node's own `require` reached as
//   `node:crypto` is (keys/nodeCrypto.ts): `process.getBuiltinModule("node:module")`. Where there
//   is no such thing (Workers, edge runtimes, browsers) or no package, there is no telemetry, and
//   each recording is one check of a variable. Bundlers see no import to resolve.
// The API keeps its state (the registered SDK) on a global, versioned symbol, so the copy found
// here and the app's own copy (an ESM or CJS build, or a bundled one) see the same providers.

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
let api: OpenTelemetryApi | undefined = lookUp();

/**
 * `@opentelemetry/api` when it was found as this module loaded, else `undefined` (not installed,
 * or no `require` on this runtime): every recording starts with this check and nothing else.
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
 * Replaces the API found (`undefined`: as if it were not installed). For tests and benchmarks
 * that compare with and without it in one process; module-internal, not exported from the package.
 *
 * @example
 * ```ts
 * useOpenTelemetry(undefined); // the "API absent" row of the telemetry benchmark
 * ```
 */
export function useOpenTelemetry(value: OpenTelemetryApi | undefined): void {
  api = value;
}

// Node's `require`, from this file, where the runtime has one (Node, Bun, Deno); the package's
// CommonJS build, whichever build the app imports.
function lookUp(): OpenTelemetryApi | undefined {
  try {
    const nodeModule = globalThis.process?.getBuiltinModule?.("node:module");
    const found: unknown = nodeModule?.createRequire(import.meta.url)(PEER);
    return isApi(found) ? found : undefined;
  } catch {
    // Not installed, or not loadable here (a runtime without a file system, a denied permission).
    return undefined;
  }
}

function isApi(module: unknown): module is OpenTelemetryApi {
  const { trace, metrics } = (module ?? {}) as { trace?: { getActiveSpan?: unknown }; metrics?: { getMeterProvider?: unknown } };
  return typeof trace?.getActiveSpan === "function" && typeof metrics?.getMeterProvider === "function";
}
