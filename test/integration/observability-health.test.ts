// Liveness and readiness for a load balancer, through yoga (the node:http entry) and the Next route
// file: not logged as GraphQL traffic, never rate limited, 503 when every provider is down; a Redis
// outage keeps the instance ready (200 `degraded`: every shared feature falls back to local state).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GET as nextLive } from '../../src/app/api/health/live/route';
import { readinessReply } from '../../src/observability/health';
import { perProvider, PROVIDER_NAMES, type ProviderName } from '../../src/providers';
import { startNodeServer } from '../../src/server/node-server';
import { startWorld, type World } from '../helpers/world';

const lines: string[] = [];
let world: World;

const fragile = { retry: { maxRetries: 0 }, breaker: { minimumRequests: 1, failureRatio: 0.5 } };

beforeAll(async () => {
  world = await startWorld({
    env: { RATE_LIMIT_REQUESTS_PER_WINDOW: '1' },
    telemetry: { logDestination: { write: (s: string) => void lines.push(s) }, logLevel: 'info', processMetrics: false },
    http: perProvider(() => fragile),
  });
});
afterAll(() => world.close());

async function probe(w: World, path: string): Promise<{ status: number; body: unknown; cache: string | null }> {
  const res = await w.gateway.yoga.fetch(`http://gateway${path}`);
  return { status: res.status, body: await res.json(), cache: res.headers.get('cache-control') };
}

describe('probes through yoga', () => {
  it('answers live and ready without logging them or spending the rate limit', async () => {
    for (let i = 0; i < 3; i++) {
      expect(await probe(world, '/api/health/live')).toEqual({ status: 200, body: { status: 'live' }, cache: 'no-store' });
      expect(await probe(world, '/api/health/ready')).toEqual({
        status: 200,
        body: { status: 'ready', checks: { config: 'ok', redis: 'off', upstreams: 'ok' } },
        cache: 'no-store',
      });
    }
    expect(lines).toEqual([]);
  });

  it('is not ready once every provider circuit is open (and still live)', async () => {
    // One failed call opens a provider's breaker (`fragile`); made through its client, so every registered provider is tripped.
    const trip = async (provider: ProviderName) => {
      world.upstreams[provider].fault({ kind: 'status', status: 503 });
      const call = { requestId: `trip-${provider}`, deadlineAt: Date.now() + 5_000 };
      await expect(world.gateway.http[provider].request({ method: 'GET', path: '/', route: '/' }, call)).rejects.toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
    };
    const [last, ...others] = PROVIDER_NAMES;
    for (const provider of others) await trip(provider);
    expect((await probe(world, '/api/health/ready')).status).toBe(200);
    if (last !== undefined) await trip(last);
    expect(Object.values(world.gateway.http).map((c) => (c as unknown as { breakerState(): string }).breakerState())).toEqual(PROVIDER_NAMES.map(() => 'open'));
    expect(await probe(world, '/api/health/ready')).toMatchObject({ status: 503, body: { status: 'not_ready', checks: { upstreams: 'all_open' } } });
    expect((await probe(world, '/api/health/live')).status).toBe(200);
  });
});

describe('redis', () => {
  it('is ready when the configured Redis answers', async () => {
    const w = await startWorld({ env: { REDIS_URL: 'redis://127.0.0.1:6379', REDIS_KEY_PREFIX: `test:obs-health:${process.pid}:` }, telemetry: { processMetrics: false } });
    try {
      expect(await probe(w, '/api/health/ready')).toMatchObject({ status: 200, body: { status: 'ready', checks: { redis: 'ok' } } });
      expect((await w.gateway.telemetry.metrics.registry.metrics()).split('\n')).toContain('bff_redis_up 1');
    } finally {
      await w.close();
    }
  });

  it('stays ready, reported degraded, when the configured Redis does not answer; bff_redis_up says 0', async () => {
    const w = await startWorld({ env: { REDIS_URL: 'redis://127.0.0.1:1' }, telemetry: { processMetrics: false } });
    try {
      expect(await probe(w, '/api/health/ready')).toEqual({ status: 200, body: { status: 'degraded', checks: { config: 'ok', redis: 'down', upstreams: 'ok' } }, cache: 'no-store' });
      const metrics = await w.gateway.telemetry.metrics.registry.metrics();
      expect(metrics.split('\n')).toContain('bff_redis_up 0');
      // The instance serves meanwhile: a GraphQL request is answered from the providers.
      expect((await w.gql('{ product(id: "prod-1") { id } }')).status).toBe(200);
    } finally {
      await w.close();
    }
  });

  it('a Redis outage does not hide a real refusal: every provider circuit open is still 503 not_ready', () => {
    const reply = readinessReply({ config: 'ok', redis: 'down', upstreams: 'all_open' });
    expect([reply.status, JSON.parse(reply.body)]).toEqual([503, { status: 'not_ready', checks: { config: 'ok', redis: 'down', upstreams: 'all_open' } }]);
  });
});

describe('entries', () => {
  it('serves the probes on the node:http entry', async () => {
    await using server = await startNodeServer(world.gateway.yoga);
    const live = await fetch(`${server.url}/api/health/live`);
    expect(live.status).toBe(200);
    expect(await live.json()).toEqual({ status: 'live' });
  });

  it('serves liveness from the Next route file without any configuration', async () => {
    const res = nextLive();
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'live' });
  });
});
