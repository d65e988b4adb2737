// OpenTelemetry (issue 31): what a guarded tRPC call costs with trpc-jwt's telemetry on, off, and
// with @opentelemetry/api absent, side by side in one group. "On" is the SDK as an app registers
// it (AsyncLocalStorage context, a batch span processor and a periodic metric reader whose
// exporters drop everything), each call in a server span as the HTTP instrumentation makes one.
// "Off" is the same call in the same span with trpc-jwt not seeing the API (what it does when the
// package is absent), so on/off is trpc-jwt's own cost in an instrumented app. The API-absent call
// outside any span, against a public call, is the figure to hold against the same ratio measured
// before this change (the "trpc" part's authedProcedure line, BENCHMARKS.md): 1.00x means within noise.
import { initTRPC } from "@trpc/server";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { context, metrics, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { MeterProvider, PeriodicExportingMetricReader, type PushMetricExporter } from "@opentelemetry/sdk-metrics";
import { BasicTracerProvider, BatchSpanProcessor, type SpanExporter } from "@opentelemetry/sdk-trace-base";
import { AuthManager, createJwtContext, createJwtProcedures } from "trpc-jwt";
import { openTelemetry, useOpenTelemetry } from "../src/telemetry/openTelemetry.js";
import { measureGroup, ratio, type Case, type GroupOptions, type Row } from "./harness.js";

const GROUP = "tRPC authedProcedure with OpenTelemetry, repeated token";
const PUBLIC_ROW = "public procedure";
const ABSENT_ROW = "authedProcedure, API absent";
const OFF_ROW = "authedProcedure in a server span, trpc-jwt telemetry off";
const ON_ROW = "authedProcedure in a server span, trpc-jwt telemetry on";

const SUCCESS = { code: 0 } as const;
const dropSpans: SpanExporter = { export: (_spans, done) => done(SUCCESS), shutdown: async () => undefined };
const dropMetrics: PushMetricExporter = { export: (_metrics, done) => done(SUCCESS), forceFlush: async () => undefined, shutdown: async () => undefined };

/** The group, measured side by side through fetchRequestHandler. */
export async function telemetryRows(options: GroupOptions): Promise<Row[]> {
  const contextManager = new AsyncLocalStorageContextManager().enable();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(dropSpans)] });
  const meterProvider = new MeterProvider({ readers: [new PeriodicExportingMetricReader({ exporter: dropMetrics, exportIntervalMillis: 60_000 })] });
  context.setGlobalContextManager(contextManager);
  trace.setGlobalTracerProvider(tracerProvider);
  metrics.setGlobalMeterProvider(meterProvider);
  const api = openTelemetry();
  if (api === undefined) throw new Error("bench telemetry: trpc-jwt does not see the SDK registered through @opentelemetry/api");
  const tracer = trace.getTracer("bench-http-server");

  const auth = new AuthManager({ issuer: "bench", authType: "HS256", secret: "benchmark-secret-0123456789abcdef" });
  const createContext = createJwtContext(auth);
  const t = initTRPC.context<typeof createContext>().create();
  const { authedProcedure } = createJwtProcedures(t);
  const router = t.router({ hello: t.procedure.query(() => "hello"), me: authedProcedure.query(({ ctx }) => ctx.token.sub) });
  const headers = { authorization: `Bearer ${(await auth.authToken("alice")).signed}` };
  const call = async (path: string) => {
    const res = await fetchRequestHandler({ endpoint: "/trpc", router, createContext, req: new Request(`http://localhost/trpc/${path}`, { headers }) });
    if (res.status !== 200) throw new Error(`${path}: ${res.status}`);
    return res.text();
  };
  const inSpan = () => tracer.startActiveSpan("GET /trpc/me", (span) => call("me").finally(() => span.end()));
  const cases: Case[] = [
    [PUBLIC_ROW, () => (useOpenTelemetry(undefined), call("hello"))],
    // The same call again: how far two measurements of one thing differ in this run.
    [`${PUBLIC_ROW} (again: noise gauge)`, () => (useOpenTelemetry(undefined), call("hello"))],
    [ABSENT_ROW, () => (useOpenTelemetry(undefined), call("me"))],
    [OFF_ROW, () => (useOpenTelemetry(undefined), inSpan())],
    [ON_ROW, () => (useOpenTelemetry(api), inSpan())],
  ];
  try {
    return await measureGroup(GROUP, cases, options);
  } finally {
    useOpenTelemetry(api);
    await tracerProvider.shutdown();
    await meterProvider.shutdown();
    trace.disable();
    metrics.disable();
    context.disable();
  }
}

/** The target lines: telemetry on against off (target <= 1.10), and the API-absent call against a public one. */
export function telemetryTargets(rows: readonly Row[], spread: (r: ReturnType<typeof ratio>, digits?: number) => string): string[] {
  const row = (name: string) => rows.find((candidate) => candidate.group === GROUP && candidate.name === name)!;
  return [
    `- trpc-jwt's telemetry in an instrumented app: a guarded call in a server span costs ${spread(ratio(row(OFF_ROW), row(ON_ROW)), 3)} with it on than off (target <= 1.10)`,
    `- the whole instrumented path (SDK span + trpc-jwt telemetry) costs ${spread(ratio(row(ABSENT_ROW), row(ON_ROW)), 3)} the same call with the API absent (for information: mostly the SDK's own span)`,
    `- API absent: an authedProcedure call costs ${spread(ratio(row(PUBLIC_ROW), row(ABSENT_ROW)), 3)} a public call; the public call against itself ${spread(ratio(row(PUBLIC_ROW), row(`${PUBLIC_ROW} (again: noise gauge)`)), 3)} (target: the trpc part's authedProcedure ratio before issue 31, within noise: 1.00x)`,
  ];
}
