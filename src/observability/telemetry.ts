// createTelemetry: one gateway's logs, metrics and traces. Owns the loggers, the Registry, the
// tracer, the http-event subscription and the optional metrics listener; the yoga plugin
// (plugins/observability/telemetry.ts) feeds it one record per GraphQL request.
import { AsyncLocalStorage } from 'node:async_hooks';
import { performance } from 'node:perf_hooks';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type TracerProvider } from '@opentelemetry/api';
import type { DestinationStream } from 'pino';
import type { GatewayConfig, LogLevel } from '../config';
import { instrumentClient, traceMethods, type CallScope, type ScopeSource } from './call-scope';
import { createCallerHasher } from './caller-hash';
import { subscribeHttpEvents } from './http-events';
import { subscribeOperationEvents } from './operation-events';
import { createLoggers, type Logger } from './logger';
import { metricsReply, startMetricsServer, type MetricsServerHandle } from './metrics-endpoint';
import { createMetrics, type GatewayMetrics } from './metrics';
import type { OpsReply } from './ops-reply';
import { createScrubber, type Scrubber } from './redact';
import type { RequestHead } from './request-head';
import { newRecord, type ErrorFact, type RequestRecord } from './request-record';
import { parseTraceparent } from './traceparent';
import { createTracing, type Tracing } from './tracing';

export interface TelemetryOptions {
  /** Lines go to this stream instead of stdout (tests capture them). */
  readonly logDestination?: DestinationStream;
  /** Overrides `config.logLevel`. */
  readonly logLevel?: LogLevel;
  /** A caller-owned OpenTelemetry provider (tests: an in-memory exporter); wins over the OTLP endpoint. */
  readonly tracerProvider?: TracerProvider;
  /** CPU, memory, event-loop and GC metrics on the registry. @default true */
  readonly processMetrics?: boolean;
}

export interface Telemetry {
  /** The general logger (redacted and scrubbed): hand it to anything that logs. */
  readonly logger: Logger;
  readonly metrics: GatewayMetrics;
  readonly tracing: Tracing;
  readonly scrubber: Scrubber;
  /** Starts the record (and span) of one request to the GraphQL endpoint. */
  /** A record for the request's line; `startedAt` (performance.now()) when its work began earlier. */
  beginRequest(request: RequestHead, requestId: string, startedAt?: number): RequestRecord;
  /** Writes the request's line, metrics and span, and the lines of its errors; forgets the record. */
  endRequest(record: RequestRecord, status: number): void;
  /** Provider HTTP clients whose calls are attributed to their request (and carry traceparent). */
  instrumentClients<T extends Record<string, { request: (req: never, ctx: never) => Promise<unknown> }>>(clients: T): T;
  /** Providers whose methods (one per DataLoader batch) are spans when tracing is on. */
  traceProviders<T extends object>(providers: T): T;
  /** The answer of `/api/metrics` on the main port (bearer token; 404 when none is configured). */
  metricsReply(authorization: string | null): Promise<OpsReply>;
  /** The separate metrics listener, when METRICS_PORT is set. */
  readonly metricsServer: Promise<MetricsServerHandle | undefined>;
  close(): Promise<void>;
}

// A request whose response never came (a bug elsewhere) must not pin its record forever.
const MAX_ACTIVE = 10_000;
const MAX_ERROR_LINES = 20;

function secretsOf(config: GatewayConfig): string[] {
  const out = config.jwt.keys.kind === 'secret' ? [config.jwt.keys.secret] : [];
  for (const provider of Object.values(config.providers)) {
    const auth = provider.auth;
    if (auth.kind === 'apiKey') out.push(auth.value);
    else if (auth.kind === 'bearer') out.push(auth.token);
    else out.push(auth.clientSecret);
  }
  if (config.persistedOperations.bypassSecret !== undefined) out.push(config.persistedOperations.bypassSecret);
  if (config.observability.metrics.token !== undefined) out.push(config.observability.metrics.token);
  return out;
}

/** Webhook signing secrets and the cache admin and purge tokens (kept out of secretsOf, which also keys the caller hash). */
function eventSecretsOf(config: GatewayConfig): string[] {
  const { adminToken, purgeToken } = config.cacheEvents;
  return [...Object.values(config.providers).flatMap((provider) => provider.webhookSecrets), ...[adminToken, purgeToken].filter((token) => token !== undefined)];
}

/** Provider, token endpoint, Redis and CDN purge hook (CACHE_PURGE_URL) hosts: never in a log line. */
export function hostsOf(config: GatewayConfig): string[] {
  const out = new Set<string>();
  // host:port, and the bare hostname too (DNS errors such as `getaddrinfo ENOTFOUND orders.internal`
  // carry no port) unless it is a single label like `orders`, which would also hit routes and names.
  const add = (url: string) => {
    const { host, hostname } = new URL(url);
    out.add(host);
    if (/[.:]/.test(hostname)) out.add(hostname);
  };
  for (const provider of Object.values(config.providers)) {
    add(provider.baseUrl);
    if (provider.auth.kind === 'oauth2') add(provider.auth.tokenUrl);
  }
  if (config.redisUrl !== undefined) add(config.redisUrl);
  if (config.cacheEvents.purgeUrl !== undefined) add(config.cacheEvents.purgeUrl);
  return [...out];
}

// Cut first, scrub after: a header of any length costs the scrubber at most `max` characters.
const clip = (value: string, max = 100): string => (value.length > max ? `${value.slice(0, max)}…` : value);

function budgetOf(error: unknown): string | undefined {
  const extensions = typeof error === 'object' && error !== null ? (error as { extensions?: { budget?: unknown } }).extensions : undefined;
  return typeof extensions?.budget === 'string' ? extensions.budget : undefined;
}

// Worth a line of its own: what an operator must act on, or an error that carries details.
function worthALine(fact: ErrorFact): boolean {
  if (fact.code === 'INTERNAL_SERVER_ERROR' || fact.code.startsWith('UPSTREAM_')) return true;
  const original = fact.original as { meta?: unknown; cause?: unknown } | null;
  if (typeof original !== 'object' || original === null) return false;
  const meta = original.meta;
  return original.cause !== undefined || (typeof meta === 'object' && meta !== null && Object.keys(meta).length > 0);
}

export function createTelemetry(config: GatewayConfig, options: TelemetryOptions = {}): Telemetry {
  const scrubber = createScrubber({ secrets: [...secretsOf(config), ...eventSecretsOf(config)], hosts: hostsOf(config), fields: config.observability.redactFields });
  const production = config.env === 'production';
  const { logger, lines, requestLine, flush } = createLoggers({
    level: options.logLevel ?? config.logLevel,
    scrubber,
    pretty: config.observability.prettyLogs,
    buffered: production,
    ...(options.logDestination ? { destination: options.logDestination } : {}),
  });
  const metrics = createMetrics({ processMetrics: options.processMetrics ?? true });
  const tracing = createTracing({
    otlpEndpoint: config.observability.tracing.otlpEndpoint,
    serviceName: config.observability.tracing.serviceName,
    ...(options.tracerProvider ? { tracerProvider: options.tracerProvider } : {}),
    onError: (error) => logger.error({ err: error }, 'tracing unavailable'),
  });
  const tracingOn = options.tracerProvider !== undefined || config.observability.tracing.otlpEndpoint !== undefined;
  // With a JWKS there is no JWT secret: the deployment's other secrets, shared by its instances, key the hash.
  const hashCaller = createCallerHasher(config.jwt.keys.kind === 'secret' ? config.jwt.keys.secret : secretsOf(config).join('\n'));
  const active = new Map<string, RequestRecord>();
  const source: ScopeSource = {
    scope: new AsyncLocalStorage<CallScope>(),
    recordOf: (requestId) => active.get(requestId),
    tracer: () => tracing.tracer,
  };
  const enabled = config.observability.enabled;
  const unsubscribeHttp = enabled ? subscribeHttpEvents({ scope: source.scope, metrics, lines, tracer: source.tracer, logAttempts: config.observability.logAttempts }) : () => undefined;
  const unsubscribeOperations = enabled ? subscribeOperationEvents({ metrics, lines, owns: (requestId) => active.has(requestId) }) : () => undefined;
  const metricsConfig = config.observability.metrics;
  const metricsServer: Promise<MetricsServerHandle | undefined> =
    metricsConfig.port === undefined
      ? Promise.resolve(undefined)
      : startMetricsServer(metrics.registry, { port: metricsConfig.port, host: metricsConfig.host, token: metricsConfig.token }).catch((error: unknown) => {
          logger.error({ err: error }, 'metrics listener failed to start');
          return undefined;
        });

  function logErrors(record: RequestRecord): void {
    const counts = new Map<unknown, { fact: ErrorFact; fields: number }>();
    for (const fact of record.errors) {
      const seen = counts.get(fact.original);
      if (seen) seen.fields += 1;
      else counts.set(fact.original, { fact, fields: 1 });
    }
    let written = 0;
    for (const { fact, fields } of counts.values()) {
      if (!worthALine(fact)) continue;
      if (written++ >= MAX_ERROR_LINES) break;
      const level = fact.code === 'INTERNAL_SERVER_ERROR' ? 'error' : 'warn';
      logger[level]({ requestId: record.requestId, code: fact.code, path: fact.path, fields, err: fact.original }, 'graphql error');
    }
  }

  function endRequest(record: RequestRecord, status: number): void {
    if (active.get(record.requestId) === record) active.delete(record.requestId);
    const span = record.span;
    // A page (GraphiQL) or anything that never reached GraphQL and did not fail: no line.
    if (!record.graphql && status < 400 && record.rejectedWith === undefined) {
      span?.end();
      return;
    }
    const seconds = (performance.now() - record.startedAt) / 1000;
    // A label takes a name the server knows (a persisted operation's, from the manifests): a name a
    // client made up would add a series per request.
    const operation = record.knownOperation ?? (record.operationName === undefined ? 'anonymous' : 'other');
    const outcome = status >= 400 && record.errors.length === 0 ? 'error' : record.outcome;
    metrics.request(operation, outcome, seconds);
    let codes: string[] | undefined;
    let limited: ErrorFact | undefined;
    for (const fact of record.errors) {
      metrics.error(fact.code);
      if (fact.code === 'RATE_LIMITED') limited ??= fact;
      if (codes === undefined) codes = [fact.code];
      else if (!codes.includes(fact.code)) codes.push(fact.code);
    }
    // Refused before the pipeline: no result to read; the refusing plugin's note (or the status) says why.
    if (record.errors.length === 0 && !record.graphql && status >= 400) {
      const code = record.rejectedWith ?? (status === 429 ? 'RATE_LIMITED' : undefined);
      if (code !== undefined) {
        metrics.error(code);
        codes = [code];
        // A 429 answered from onRequest carries no error object to read its budget from.
        if (code === 'RATE_LIMITED') metrics.inboundRateLimited('unknown');
      }
    }
    if (limited !== undefined) metrics.inboundRateLimited(budgetOf(limited.original) ?? 'unknown');
    if (record.cost !== undefined) metrics.operationCost(record.cost);
    if (record.cache !== undefined) metrics.responseCache(record.cache);

    if (lines.isLevelEnabled('info')) {
      const headers = record.request.headers;
      const clientName = headers.get('graphql-client-name') ?? headers.get('apollographql-client-name');
      const clientVersion = headers.get('graphql-client-version') ?? headers.get('apollographql-client-version');
      requestLine(
        {
          requestId: record.requestId,
          operation,
          operationSent: record.operationName === undefined || record.operationName === record.knownOperation ? undefined : clip(record.operationName, 64),
          operationType: record.operationType,
          persistedHash: record.persistedHash,
          clientName: clientName === null ? undefined : scrubber.text(clip(clientName, 64)),
          clientVersion: clientVersion === null ? undefined : scrubber.text(clip(clientVersion, 32)),
          caller: record.callerId === undefined ? undefined : hashCaller(record.callerId),
          status,
          outcome,
          durationMs: Math.round(seconds * 100_000) / 100,
          firstPartMs: record.firstPartAt === undefined ? undefined : Math.round((record.firstPartAt - record.startedAt) * 100) / 100,
          parts: record.parts === 0 ? undefined : record.parts,
          errors: codes,
          cost: record.cost,
          cache: record.cache,
          cacheEarly: record.cacheEarly,
          upstreamCalls: record.upstreamCalls,
          upstreamAttempts: record.upstreamAttempts,
          upstreamRetries: record.upstreamRetries,
        },
        'graphql request',
      );
    }
    if (record.errors.length > 0) logErrors(record);

    if (span !== undefined) {
      if (record.knownOperation !== undefined) {
        span.updateName(`${record.operationType ?? 'graphql'} ${record.knownOperation}`);
        span.setAttribute('graphql.operation.name', record.knownOperation);
      }
      if (record.operationType !== undefined) span.setAttribute('graphql.operation.type', record.operationType);
      span.setAttribute('http.response.status_code', status);
      if (codes !== undefined) span.setAttribute('bff.error_codes', codes);
      if (outcome !== 'success') span.setStatus({ code: SpanStatusCode.ERROR, message: codes?.join(',') ?? outcome });
      span.end();
    }
  }

  return {
    logger,
    metrics,
    tracing,
    scrubber,
    beginRequest(request, requestId, startedAt = performance.now()) {
      const tracer = tracing.tracer;
      let span;
      if (tracer !== undefined) {
        const remote = parseTraceparent(request.headers.get('traceparent'));
        span = tracer.startSpan(
          'graphql.request',
          { kind: SpanKind.SERVER, attributes: { 'bff.request_id': requestId, 'http.request.method': request.method } },
          remote === undefined ? ROOT_CONTEXT : trace.setSpanContext(ROOT_CONTEXT, remote),
        );
      }
      const record = newRecord(request, requestId, startedAt, span);
      if (active.size >= MAX_ACTIVE) {
        const oldest = active.keys().next();
        if (oldest.done !== true) active.delete(oldest.value);
      }
      active.set(requestId, record);
      return record;
    },
    endRequest,
    instrumentClients(clients) {
      if (!enabled) return clients;
      return Object.fromEntries(Object.entries(clients).map(([name, client]) => [name, instrumentClient(client, source)])) as typeof clients;
    },
    traceProviders(providers) {
      if (!enabled || !tracingOn) return providers;
      const entries = Object.entries(providers as Record<string, object>);
      return Object.fromEntries(entries.map(([name, provider]) => [name, traceMethods(name, provider, source)])) as typeof providers;
    },
    metricsReply: (authorization) => metricsReply(metrics.registry, authorization, metricsConfig.token),
    metricsServer,
    async close() {
      unsubscribeHttp();
      unsubscribeOperations();
      active.clear();
      await Promise.all([metricsServer.then((server) => server?.close()), tracing.shutdown()]);
      flush();
    },
  };
}
