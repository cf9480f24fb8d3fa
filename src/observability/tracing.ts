// createTracing: an OpenTelemetry tracer when one is configured, else nothing at all (no span is
// built and no traceparent sent). The SDK and the OTLP exporter are loaded only when an endpoint is set.
import type { Tracer, TracerProvider } from '@opentelemetry/api';

export interface TracingOptions {
  /** OTLP/HTTP base endpoint; spans are exported to `<endpoint>/v1/traces`. @default undefined (off) */
  readonly otlpEndpoint?: string | undefined;
  /** `service.name` of exported spans. @default 'bff-gateway' */
  readonly serviceName?: string;
  /** A provider owned by the caller (tests: an in-memory exporter); wins over `otlpEndpoint`. */
  readonly tracerProvider?: TracerProvider;
  /** Told when the SDK cannot be loaded or an export fails to flush. */
  readonly onError?: (error: unknown) => void;
}

export interface Tracing {
  /** Undefined while tracing is off (or until the SDK has loaded). */
  readonly tracer: Tracer | undefined;
  /** Resolves once the configured SDK is loaded (at once when there is none). */
  readonly ready: Promise<void>;
  /** Flushes and stops the SDK this module started; a caller-owned provider is left alone. */
  shutdown(): Promise<void>;
}

const TRACER_NAME = 'bff-gateway';

export function createTracing(options: TracingOptions): Tracing {
  if (options.tracerProvider) {
    const tracer = options.tracerProvider.getTracer(TRACER_NAME);
    return { tracer, ready: Promise.resolve(), shutdown: () => Promise.resolve() };
  }
  const endpoint = options.otlpEndpoint;
  if (endpoint === undefined) return { tracer: undefined, ready: Promise.resolve(), shutdown: () => Promise.resolve() };

  let tracer: Tracer | undefined;
  let stop: (() => Promise<void>) | undefined;
  const ready = (async () => {
    try {
      const [sdk, otlp, resources] = await Promise.all([
        import('@opentelemetry/sdk-trace'),
        import('@opentelemetry/exporter-trace-otlp-http'),
        import('@opentelemetry/resources'),
      ]);
      const exporter = new otlp.OTLPTraceExporter({ url: `${endpoint.replace(/\/+$/, '')}/v1/traces` });
      const provider = new sdk.TracerProvider({
        resource: resources.resourceFromAttributes({ 'service.name': options.serviceName ?? TRACER_NAME }),
        spanProcessors: [new sdk.BatchSpanProcessor({ exporter })],
      });
      tracer = provider.getTracer(TRACER_NAME);
      stop = () => provider.shutdown();
    } catch (error) {
      options.onError?.(error);
    }
  })();
  return {
    get tracer() {
      return tracer;
    },
    ready,
    async shutdown() {
      await ready;
      tracer = undefined;
      await stop?.().catch((error: unknown) => options.onError?.(error));
    },
  };
}
