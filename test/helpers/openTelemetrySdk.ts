import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import { context, metrics, SpanKind, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { MetricReader, type DataPoint, type MetricData } from "@opentelemetry/sdk-metrics";
import { MeterProvider } from "@opentelemetry/sdk-metrics";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { openTelemetry } from "../../src/telemetry/openTelemetry.js";

/** A reader that exports nothing by itself: the test collects when it wants to look. */
class CollectingReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

/**
 * The OpenTelemetry SDK as an app registers it, exporting to memory: spans to an
 * `InMemorySpanExporter` (one `SimpleSpanProcessor`), metrics to a reader the test collects,
 * context carried by AsyncLocalStorage. `traced()` wraps a Node HTTP handler in a server span per
 * request, as the HTTP instrumentation does. `shutdown()` unregisters all of it.
 */
export async function startOpenTelemetrySdk() {
  const exporter = new InMemorySpanExporter();
  // Every span of the run, for the checks of everything exported: never reset.
  const archive = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter), new SimpleSpanProcessor(archive)] });
  const reader = new CollectingReader();
  const meterProvider = new MeterProvider({ readers: [reader] });
  const contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  trace.setGlobalTracerProvider(tracerProvider);
  metrics.setGlobalMeterProvider(meterProvider);
  if (openTelemetry() === undefined) throw new Error("trpc-jwt does not see the SDK registered through @opentelemetry/api");
  const tracer = trace.getTracer("test-http-server");

  /** Every metric collected now, by name. */
  async function collect(): Promise<Map<string, MetricData>> {
    const { resourceMetrics } = await reader.collect();
    return new Map(resourceMetrics.scopeMetrics.flatMap((scope) => scope.metrics).map((metric) => [metric.descriptor.name, metric]));
  }

  return {
    exporter,
    collect,
    /** The sum of a counter's points whose attributes include `attributes`. */
    async count(name: string, attributes: Record<string, string> = {}): Promise<number> {
      const metric = (await collect()).get(name);
      const points = (metric?.dataPoints ?? []) as DataPoint<number>[];
      return points
        .filter((point) => Object.entries(attributes).every(([key, value]) => point.attributes[key] === value))
        .reduce((sum, point) => sum + point.value, 0);
    },
    spans: (): ReadableSpan[] => exporter.getFinishedSpans(),
    /** Every span finished since the start, `exporter.reset()` or not. */
    allSpans: (): ReadableSpan[] => archive.getFinishedSpans(),
    /** `handler` in a server span per request (active while it runs), ended when the response is finished. */
    traced(handler: RequestListener): RequestListener {
      return (req: IncomingMessage, res: ServerResponse) =>
        tracer.startActiveSpan(`${req.method} ${req.url}`, { kind: SpanKind.SERVER }, (span) => {
          res.on("finish", () => {
            span.setAttribute("http.response.status_code", res.statusCode);
            span.end();
          });
          handler(req, res);
        });
    },
    async shutdown(): Promise<void> {
      await tracerProvider.shutdown();
      await meterProvider.shutdown();
      trace.disable();
      metrics.disable();
      context.disable();
      contextManager.disable();
    },
  };
}

export type OpenTelemetrySdk = Awaited<ReturnType<typeof startOpenTelemetrySdk>>;
