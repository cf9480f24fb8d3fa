// Prometheus metrics after scripted scenarios, on a Registry per gateway; the scrape endpoints are
// closed by default, token-guarded on the main port, and open on the separate listener.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Registry } from 'prom-client';
import { perProvider } from '../../src/providers';
import { startWorld, type World } from '../helpers/world';

const ORDER_PAGE = `query OrderPage { orders(first: 5) { edges { node { id customer { name } lines { quantity product { title reviews { rating author { name } } } } } } } }`;
const METRICS_TOKEN = 'metrics-token-for-tests-0123456789';

async function value(registry: Registry, name: string, labels: Record<string, string>, field = ''): Promise<number> {
  const metric = registry.getSingleMetric(name);
  if (!metric) throw new Error(`no metric ${name}`);
  const { values } = await metric.get();
  const wanted = `${name}${field}`;
  const match = values.filter(
    (v) => (field === '' || (v as { metricName?: string }).metricName === wanted) && Object.entries(labels).every(([k, l]) => String(v.labels[k]) === l),
  );
  return match.reduce((sum, v) => sum + v.value, 0);
}

const fast = { retry: { baseDelayMs: 1, maxDelayMs: 1 }, random: () => 0 };
let world: World;
let registry: Registry;

beforeAll(async () => {
  world = await startWorld({
    env: { METRICS_TOKEN, METRICS_PORT: '0', RESPONSE_CACHE: '1', RATE_LIMIT_REQUESTS_PER_WINDOW: '1000' },
    telemetry: { processMetrics: false },
    http: perProvider(() => fast),
  });
  registry = world.gateway.telemetry.metrics.registry;
});
afterAll(() => world.close());
beforeEach(() => {
  for (const server of world.upstreams.servers) server.clearFaults();
  registry.resetMetrics();
});

describe('metric values after scripted scenarios', () => {
  it('one 502 then 200 gives retries{reason="502"} = 1, a success outcome and one call per provider', async () => {
    world.upstreams.catalog.fault({ kind: 'status', status: 502 }, { times: 1 });
    const res = await world.gql(ORDER_PAGE, { as: 'user-1' });
    expect(res.body.errors).toBeUndefined();
    expect(await value(registry, 'bff_upstream_retries_total', { provider: 'catalog', reason: '502' })).toBe(1);
    expect(await value(registry, 'bff_upstream_retries_total', {})).toBe(1);
    expect(await value(registry, 'bff_graphql_request_duration_seconds', { operation: 'other', outcome: 'success' }, '_count')).toBe(1);
    expect(await value(registry, 'bff_upstream_attempts_total', { provider: 'catalog', status_class: '5xx' })).toBe(1);
    expect(await value(registry, 'bff_upstream_attempts_total', { provider: 'catalog', status_class: '2xx' })).toBe(1);
    expect(await value(registry, 'bff_upstream_requests_total', { provider: 'catalog', outcome: 'ok' })).toBe(1);
    expect(await value(registry, 'bff_upstream_requests_total', { provider: 'accounts', outcome: 'ok' })).toBe(2);
    expect(await value(registry, 'bff_upstream_attempt_duration_seconds', { provider: 'catalog' }, '_count')).toBe(2);
    expect(await value(registry, 'bff_graphql_errors_total', {})).toBe(0);
    expect(await value(registry, 'bff_graphql_operation_cost', {}, '_count')).toBe(1);
  });

  it('a provider down counts each error sent by code, the call outcome, and a partial request', async () => {
    world.upstreams.reviews.fault({ kind: 'status', status: 503 });
    const res = await world.gql(ORDER_PAGE, { as: 'user-3' });
    const fieldErrors = res.body.errors?.length ?? 0;
    expect(fieldErrors).toBeGreaterThan(0);
    expect(await value(registry, 'bff_graphql_errors_total', { code: 'UPSTREAM_UNAVAILABLE' })).toBe(fieldErrors);
    expect(await value(registry, 'bff_upstream_requests_total', { provider: 'reviews', outcome: 'UPSTREAM_UNAVAILABLE' })).toBe(1);
    expect(await value(registry, 'bff_upstream_retries_total', { provider: 'reviews', reason: '503' })).toBe(2);
    expect(await value(registry, 'bff_graphql_request_duration_seconds', { operation: 'other', outcome: 'partial' }, '_count')).toBe(1);
  });

  it('counts OAuth token refreshes by outcome and reason', async () => {
    // A token is held first (alone, this test would otherwise fetch the first one, not refresh it).
    // A different query from the one after the revocation, which the response cache would answer.
    await world.gql('{ orders(first: 2) { edges { node { id } } } }', { as: 'user-2' });
    const query = '{ orders(first: 1) { edges { node { id } } } }';
    const refreshes = { provider: 'orders', outcome: 'fetched', reason: 'unauthorized' };
    const [refreshedBefore, retriedBefore] = [await value(registry, 'bff_upstream_token_refreshes_total', refreshes), await value(registry, 'bff_upstream_retries_total', { provider: 'orders', reason: '401' })];
    world.upstreams.auth.revokeAll();
    await world.gql(query, { as: 'user-2' });
    expect(await value(registry, 'bff_upstream_token_refreshes_total', refreshes)).toBe(refreshedBefore + 1);
    expect(await value(registry, 'bff_upstream_retries_total', { provider: 'orders', reason: '401' })).toBe(retriedBefore + 1);
  });

  it('counts response-cache misses and hits', async () => {
    const query = '{ product(id: "prod-1") { title } }';
    await world.gql(query);
    await world.gql(query);
    expect(await value(registry, 'bff_response_cache_total', { outcome: 'miss' })).toBe(1);
    expect(await value(registry, 'bff_response_cache_total', { outcome: 'hit' })).toBe(1);
  });

  it('reads the admission limit, its slots in use and its queue at scrape time', async () => {
    // Between requests nothing holds a slot; the limit is somewhere between its floor and ceiling
    // (64 and 512 by default: it moves with the event loop's load, the test runner's included).
    const { minConcurrent, maxConcurrent } = world.config.admission;
    expect([minConcurrent, maxConcurrent]).toEqual([64, 512]);
    const limit = await value(registry, 'bff_admission', { value: 'limit' });
    expect(limit).toBeGreaterThanOrEqual(minConcurrent);
    expect(limit).toBeLessThanOrEqual(maxConcurrent);
    expect(await value(registry, 'bff_admission', { value: 'active' })).toBe(0);
    expect(await value(registry, 'bff_admission', { value: 'queued' })).toBe(0);
  });

  it('reads breaker states from the clients at scrape time', async () => {
    expect(await value(registry, 'bff_upstream_breaker_state', { provider: 'catalog' })).toBe(0);
    const text = await registry.metrics();
    expect(text).toContain('bff_upstream_breaker_state{provider="orders"} 0');
  });
});

describe('several gateways in one process', () => {
  it('keep their own registry, and count only their own upstream traffic and breakers', async () => {
    const other = await startWorld({
      telemetry: { processMetrics: false },
      http: { catalog: { ...fast, retry: { maxRetries: 0 }, breaker: { minimumRequests: 2, failureRatio: 0.5 } } },
    });
    try {
      const otherRegistry = other.gateway.telemetry.metrics.registry;
      expect(otherRegistry).not.toBe(registry);
      other.upstreams.catalog.fault({ kind: 'status', status: 503 });
      await other.gql('{ product(id: "prod-1") { title } }');
      await other.gql('{ product(id: "prod-2") { title } }');
      expect(await value(otherRegistry, 'bff_upstream_breaker_transitions_total', { provider: 'catalog', to: 'open' })).toBe(1);
      expect(await value(otherRegistry, 'bff_upstream_breaker_state', { provider: 'catalog' })).toBe(2);
      expect(await value(otherRegistry, 'bff_upstream_attempts_total', { provider: 'catalog', status_class: '5xx' })).toBe(2);
      // None of it reached the first gateway's registry.
      expect(await value(registry, 'bff_upstream_attempts_total', {})).toBe(0);
      expect(await value(registry, 'bff_upstream_breaker_transitions_total', {})).toBe(0);
      expect(await value(registry, 'bff_upstream_breaker_state', { provider: 'catalog' })).toBe(0);
    } finally {
      await other.close();
    }
  });
});

describe('inbound limits and throttles', () => {
  it('counts a request refused by the inbound rate limit, and logs its code', async () => {
    const limited = await startWorld({ env: { RATE_LIMIT_REQUESTS_PER_WINDOW: '1' }, telemetry: { processMetrics: false } });
    try {
      const r = limited.gateway.telemetry.metrics.registry;
      expect((await limited.gql('{ ping }')).status).toBe(200);
      expect((await limited.gql('{ ping }')).status).toBe(429);
      expect(await value(r, 'bff_inbound_rate_limited_total', {})).toBe(1);
      expect(await value(r, 'bff_graphql_errors_total', { code: 'RATE_LIMITED' })).toBe(1);
      expect(await value(r, 'bff_graphql_request_duration_seconds', { outcome: 'error' }, '_count')).toBe(1);
    } finally {
      await limited.close();
    }
  });

  it('counts calls the outbound throttle refused, by limit', async () => {
    const throttled = await startWorld({
      env: { REQUEST_DEADLINE_MS: '2000' },
      telemetry: { processMetrics: false },
      http: { catalog: { rateLimit: { ratePerSecond: 0.01, burst: 1 } } },
    });
    try {
      const r = throttled.gateway.telemetry.metrics.registry;
      await throttled.gql('{ product(id: "prod-1") { title } }');
      const res = await throttled.gql('{ product(id: "prod-2") { title } }');
      expect(res.body.errors?.[0]?.extensions['code']).toBe('UPSTREAM_RATE_LIMITED');
      expect(await value(r, 'bff_upstream_throttle_rejections_total', { provider: 'catalog', limit: 'rate' })).toBe(1);
    } finally {
      await throttled.close();
    }
  });
});

describe('edge decisions', () => {
  it('counts unlisted documents run in audit mode and limits exceeded, by their channels', async () => {
    const lines: string[] = [];
    const audit = await startWorld({
      env: { PERSISTED_OPERATIONS: 'audit', LIMIT_DEPTH: '2', LIMITS_MODE: 'enforce' },
      telemetry: { processMetrics: false, logLevel: 'info', logDestination: { write: (s: string) => void lines.push(s) } },
    });
    try {
      const r = audit.gateway.telemetry.metrics.registry;
      expect((await audit.gql('query Unlisted { ping }')).status).toBe(200);
      const deep = await audit.gql('{ orders(first: 1) { edges { node { id } } } }', { as: 'user-1' });
      expect(deep.body.errors?.[0]?.extensions['code']).toBe('MAX_DEPTH_LIMIT');
      expect(await value(r, 'bff_persisted_operations_audit_total', { reason: 'audit' })).toBe(2);
      expect(await value(r, 'bff_operation_limit_exceeded_total', { limit: 'depth', enforced: 'true' })).toBe(1);
      const audited = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l['msg'] === 'persisted operation audit');
      expect(audited[0]).toMatchObject({ level: 'info', reason: 'audit', requestId: expect.any(String) as unknown });
      expect(audited[0]!['documentHash']).toMatch(/^[0-9a-f]{64}$/);
    } finally {
      await audit.close();
    }
  });
});

describe('scrape endpoints', () => {
  it('answers 404 on /api/metrics when no token is configured', async () => {
    const closed = await startWorld({ telemetry: { processMetrics: false } });
    try {
      const res = await closed.gateway.yoga.fetch('http://gateway/api/metrics');
      expect(res.status).toBe(404);
      expect(await res.text()).not.toContain('bff_');
    } finally {
      await closed.close();
    }
  });

  it('guards /api/metrics with the bearer token', async () => {
    const none = await world.gateway.yoga.fetch('http://gateway/api/metrics');
    expect(none.status).toBe(401);
    const wrong = await world.gateway.yoga.fetch('http://gateway/api/metrics', { headers: { authorization: 'Bearer wrong-token-0123456789' } });
    expect(wrong.status).toBe(401);
    await world.gql('{ ping }');
    const ok = await world.gateway.yoga.fetch('http://gateway/api/metrics', { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toContain('text/plain');
    const text = await ok.text();
    expect(text).toContain('bff_graphql_request_duration_seconds_count{operation="anonymous",outcome="success"} 1');
  });

  it('serves GET /metrics on the separate listener (METRICS_PORT) and nothing else', async () => {
    const server = await world.gateway.telemetry.metricsServer;
    expect(server).toBeDefined();
    const auth = { authorization: `Bearer ${METRICS_TOKEN}` };
    const ok = await fetch(`${server!.url}/metrics`, { headers: auth });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('# TYPE bff_upstream_retries_total counter');
    expect((await fetch(`${server!.url}/api/graphql`, { headers: auth })).status).toBe(404);
    expect((await fetch(`${server!.url}/metrics`)).status).toBe(401);
  });
});
