// Traces with the SDK's in-memory exporter: a span per GraphQL request, a child per provider call
// (one DataLoader batch), a grandchild per upstream attempt; providers receive a traceparent of the
// same trace, whose parent is the batch span.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { startWorld, type World } from '../helpers/world';

const ORDER_PAGE = `query OrderPage { orders(first: 5) { edges { node { id customer { name } lines { quantity product { title reviews { rating author { name } } } } } } } }`;
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/;

const exporter = new InMemorySpanExporter();
const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
let world: World;

const fast = { retry: { baseDelayMs: 1, maxDelayMs: 1 }, random: () => 0 };

beforeAll(async () => {
  world = await startWorld({ telemetry: { tracerProvider: provider, processMetrics: false }, http: { catalog: fast } });
});
afterAll(async () => {
  await world.close();
  await provider.shutdown();
});
beforeEach(() => {
  for (const server of world.upstreams.servers) server.clearFaults();
  world.resetCounts();
  exporter.reset();
});

const parentOf = (span: ReadableSpan): string | undefined => span.parentSpanContext?.spanId;

describe('spans of one request', () => {
  it('nests provider calls under the request span and attempts under their call, all in one trace', async () => {
    const res = await world.gql(ORDER_PAGE, { as: 'user-1', headers: { 'x-request-id': 'trace-req-1' } });
    expect(res.body.errors).toBeUndefined();
    const spans = exporter.getFinishedSpans();
    const roots = spans.filter((s) => s.kind === SpanKind.SERVER);
    expect(roots).toHaveLength(1);
    const root = roots[0]!;
    // Not a persisted operation: a name the client wrote never names a span (only the manifests' names do).
    expect(root.name).toBe('graphql.request');
    expect(root.attributes['graphql.operation.name']).toBeUndefined();
    expect(root.attributes).toMatchObject({ 'bff.request_id': 'trace-req-1', 'graphql.operation.type': 'query', 'http.response.status_code': 200 });
    const traceId = root.spanContext().traceId;
    expect(new Set(spans.map((s) => s.spanContext().traceId))).toEqual(new Set([traceId]));

    const batches = spans.filter((s) => s.kind === SpanKind.INTERNAL);
    expect(batches.map((s) => s.name).sort()).toEqual([
      'accounts.getUsers',
      'accounts.getUsers',
      'catalog.getProducts',
      'orders.listOrdersOfCustomer',
      'reviews.getReviewsOfProducts',
    ]);
    for (const batch of batches) expect(parentOf(batch)).toBe(root.spanContext().spanId);
    const products = batches.find((s) => s.name === 'catalog.getProducts')!;
    expect(products.attributes['bff.batch.size']).toBeGreaterThan(1);

    const attempts = spans.filter((s) => s.kind === SpanKind.CLIENT);
    expect(attempts).toHaveLength(5);
    const batchIds = new Set(batches.map((s) => s.spanContext().spanId));
    for (const attempt of attempts) expect(batchIds.has(parentOf(attempt) ?? '')).toBe(true);
    const catalogAttempt = attempts.find((s) => s.attributes['bff.provider'] === 'catalog')!;
    expect(catalogAttempt.name).toBe('GET /products?ids');
    expect(parentOf(catalogAttempt)).toBe(products.spanContext().spanId);
    expect(catalogAttempt.attributes).toMatchObject({ 'http.request.method': 'GET', 'url.template': '/products?ids', 'http.response.status_code': 200 });
  });

  it('sends providers a traceparent of the same trace, naming the batch span as parent', async () => {
    await world.gql(ORDER_PAGE, { as: 'user-2' });
    const root = exporter.getFinishedSpans().find((s) => s.kind === SpanKind.SERVER)!;
    const batches = new Map(exporter.getFinishedSpans().filter((s) => s.kind === SpanKind.INTERNAL).map((s) => [s.spanContext().spanId, s]));
    for (const name of ['orders', 'catalog', 'accounts', 'reviews'] as const) {
      const seen = world.upstreams[name].requests.map((r) => r.headers['traceparent']);
      expect(seen.length).toBeGreaterThan(0);
      for (const header of seen) {
        const match = TRACEPARENT.exec(header ?? '');
        expect(match?.[1]).toBe(root.spanContext().traceId);
        expect(batches.get(match?.[2] ?? '')?.name.startsWith(`${name}.`)).toBe(true);
      }
    }
  });

  it("continues a client's trace when it sends a valid traceparent", async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    await world.gql('{ ping }', { headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` } });
    const root = exporter.getFinishedSpans().find((s) => s.kind === SpanKind.SERVER)!;
    expect(root.spanContext().traceId).toBe(traceId);
    expect(parentOf(root)).toBe('00f067aa0ba902b7');
  });

  it('marks a retried attempt, a failed batch and the request with their outcome', async () => {
    world.upstreams.catalog.fault({ kind: 'status', status: 502 }, { times: 1 });
    await world.gql(ORDER_PAGE, { as: 'user-3' });
    const catalog = exporter.getFinishedSpans().filter((s) => s.kind === SpanKind.CLIENT && s.attributes['bff.provider'] === 'catalog');
    expect(catalog.map((s) => [s.attributes['http.request.resend_count'], s.attributes['http.response.status_code'], s.status.code])).toEqual([
      [0, 502, SpanStatusCode.ERROR],
      [1, 200, SpanStatusCode.UNSET],
    ]);
    expect(catalog[1]!.attributes['bff.retry_reason']).toBe('502');

    exporter.reset();
    world.upstreams.catalog.fault({ kind: 'status', status: 503 });
    await world.gql(ORDER_PAGE, { as: 'user-4' });
    const spans = exporter.getFinishedSpans();
    const batch = spans.find((s) => s.name === 'catalog.getProducts')!;
    expect(batch.status).toEqual({ code: SpanStatusCode.ERROR, message: 'UPSTREAM_UNAVAILABLE' });
    const root = spans.find((s) => s.kind === SpanKind.SERVER)!;
    expect(root.status.code).toBe(SpanStatusCode.ERROR);
    expect(root.attributes['bff.error_codes']).toEqual(['UPSTREAM_UNAVAILABLE']);
  });
});

describe('tracing off', () => {
  it('builds no span and sends no traceparent', async () => {
    const plain = await startWorld({ telemetry: { processMetrics: false } });
    try {
      await plain.gql(ORDER_PAGE, { as: 'user-1' });
      expect(plain.gateway.telemetry.tracing.tracer).toBeUndefined();
      for (const name of ['orders', 'catalog', 'accounts', 'reviews'] as const) {
        expect(plain.upstreams[name].requests.length).toBeGreaterThan(0);
        for (const r of plain.upstreams[name].requests) expect(r.headers['traceparent']).toBeUndefined();
      }
    } finally {
      await plain.close();
    }
  });
});
