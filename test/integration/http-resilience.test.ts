// Retry, retry budget and circuit breaker against scripted loopback faults.
// Waits run on a manual clock (auto-advancing), so no test sleeps for real.
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { afterEach, describe, expect, it } from 'vitest';
import { createProviderClient, type ResilientHttpClient } from '../../src/http/client';
import type { ProviderClientOptions } from '../../src/http/options';
import type { CallContext, UpstreamRequest } from '../../src/http/types';
import { HTTP_CHANNELS, type BreakerStateEvent, type HttpAttemptEvent } from '../../src/observability/channels';
import { json, startLoopback, type Handler, type Loopback, rejection } from '../helpers/http-loopback';
import { createManualClock, type ManualClock } from '../helpers/manual-clock';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

interface World {
  readonly clock: ManualClock;
  readonly server: Loopback;
  readonly client: ResilientHttpClient;
  ctx(deadlineMs?: number): CallContext;
}

async function world(handler: Handler, options: Partial<ProviderClientOptions> = {}): Promise<World> {
  const clock = createManualClock({ autoAdvance: true });
  const server = await startLoopback(handler, () => clock.now());
  const client = createProviderClient({ name: 'catalog', baseUrl: server.url, clock, random: () => 0.5, ...options });
  cleanup.push(() => server.close(), () => client.close());
  return { clock, server, client, ctx: (deadlineMs = 10_000) => ({ requestId: 'r-1', deadlineAt: clock.now() + deadlineMs }) };
}

function listen<T>(name: string): T[] {
  const seen: T[] = [];
  const fn = (message: unknown): void => {
    seen.push(message as T);
  };
  subscribe(name, fn);
  cleanup.push(() => {
    unsubscribe(name, fn);
  });
  return seen;
}

/** Fails the first `n` requests with `fail`, then answers 200. */
function failFirst(n: number, fail: Handler): Handler {
  return (req, res, arrival) => (arrival.n <= n ? fail(req, res, arrival) : json(res, 200, { n: arrival.n }));
}

const GET: UpstreamRequest = { method: 'GET', path: '/products/p-1', route: '/products/:id' };

describe('retry', () => {
  it('retries a 502 once and succeeds, publishing one event per attempt', async () => {
    const events = listen<HttpAttemptEvent>(HTTP_CHANNELS.attempt);
    const w = await world(failFirst(1, (_q, res) => json(res, 502, {}, { 'x-ratelimit-remaining': '41' })));
    const res = await w.client.request(GET, w.ctx());
    expect(res.body).toEqual({ n: 2 });
    expect(w.server.arrivals).toHaveLength(2);
    const mine = events.filter((e) => e.provider === 'catalog');
    expect(mine.map((e) => [e.attempt, e.status, e.outcome, e.retryReason])).toEqual([
      [1, 502, 'server_error', undefined],
      [2, 200, 'ok', 'server_error'],
    ]);
    expect(mine[0]).toMatchObject({ method: 'GET', route: '/products/:id', breakerState: 'closed', rateLimit: { 'x-ratelimit-remaining': '41' } });
    // Full jitter with random() = 0.5 on base 100 ms: the first backoff is 50 ms of clock time.
    expect((w.server.arrivals[1]?.at ?? 0) - (w.server.arrivals[0]?.at ?? 0)).toBe(50);
  });

  it.each([503, 504])('retries a %i', async (status) => {
    const w = await world(failFirst(1, (_q, res) => json(res, status, {})));
    expect((await w.client.request(GET, w.ctx())).status).toBe(200);
    expect(w.server.arrivals).toHaveLength(2);
  });

  it('retries a reset connection', async () => {
    const w = await world(failFirst(1, (_q, res) => {
      res.socket?.destroy();
    }));
    expect((await w.client.request(GET, w.ctx())).status).toBe(200);
    expect(w.server.arrivals).toHaveLength(2);
  });

  it('stops after 2 retries (3 attempts) and throws UPSTREAM_UNAVAILABLE', async () => {
    const w = await world((_q, res) => json(res, 503, {}));
    const error = await rejection(w.client.request(GET, w.ctx()));
    expect(error.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(error.meta).toMatchObject({ attempts: 3, retry: 'exhausted', status: 503 });
    expect(w.server.arrivals).toHaveLength(3);
  });

  it('does not retry a 500 or a timeout-free 4xx', async () => {
    const w = await world((_q, res) => json(res, 500, {}));
    expect((await rejection(w.client.request(GET, w.ctx()))).code).toBe('UPSTREAM_UNAVAILABLE');
    expect(w.server.arrivals).toHaveLength(1);
  });

  it('honours Retry-After: 1 with at least 1 s of clock time between attempts', async () => {
    const w = await world(failFirst(1, (_q, res) => json(res, 429, {}, { 'retry-after': '1' })));
    expect((await w.client.request(GET, w.ctx())).status).toBe(200);
    expect(w.server.arrivals).toHaveLength(2);
    expect((w.server.arrivals[1]?.at ?? 0) - (w.server.arrivals[0]?.at ?? 0)).toBeGreaterThanOrEqual(1000);
  });

  it('honours Retry-After as an HTTP-date', async () => {
    const holder: { clock?: ManualClock } = {};
    const w = await world(
      failFirst(1, (_q, res) => json(res, 503, {}, { 'retry-after': new Date((holder.clock?.now() ?? 0) + 3000).toUTCString() })),
    );
    holder.clock = w.clock;
    expect((await w.client.request(GET, w.ctx())).status).toBe(200);
    expect((w.server.arrivals[1]?.at ?? 0) - (w.server.arrivals[0]?.at ?? 0)).toBe(3000);
  });

  it('fails at once with retryAfterSeconds when Retry-After would pass the deadline', async () => {
    const w = await world((_q, res) => json(res, 429, {}, { 'retry-after': '120' }));
    const before = w.clock.now();
    const error = await rejection(w.client.request(GET, w.ctx(10_000)));
    expect(error.code).toBe('UPSTREAM_RATE_LIMITED');
    expect(error.retryAfterSeconds).toBe(120);
    expect(error.meta).toMatchObject({ retry: 'deadline', attempts: 1 });
    expect(w.server.arrivals).toHaveLength(1);
    expect(w.clock.now()).toBe(before);
  });

  it('does the same for a 503 with a long Retry-After', async () => {
    const w = await world((_q, res) => json(res, 503, {}, { 'retry-after': '30' }));
    const error = await rejection(w.client.request(GET, w.ctx(5_000)));
    expect(error.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(error.retryAfterSeconds).toBe(30);
    expect(w.server.arrivals).toHaveLength(1);
  });

  it('never retries a POST without an Idempotency-Key', async () => {
    const w = await world(failFirst(1, (_q, res) => json(res, 502, {})));
    const error = await rejection(w.client.request({ method: 'POST', path: '/orders', route: '/orders', body: {} }, w.ctx()));
    expect(error.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(error.meta).toMatchObject({ retry: 'unsafe' });
    expect(w.server.arrivals).toHaveLength(1);
  });

  it('retries a POST with an Idempotency-Key, sending the same key each time', async () => {
    const w = await world(failFirst(1, (_q, res) => json(res, 502, {})));
    const res = await w.client.request(
      { method: 'POST', path: '/orders', route: '/orders', body: { sku: 'a' }, idempotencyKey: 'k-42' },
      w.ctx(),
    );
    expect(res.status).toBe(200);
    expect(w.server.arrivals.map((a) => [a.method, a.headers['idempotency-key'], a.body])).toEqual([
      ['POST', 'k-42', '{"sku":"a"}'],
      ['POST', 'k-42', '{"sku":"a"}'],
    ]);
  });

  it('retries a POST marked idempotent (a GraphQL query)', async () => {
    const w = await world(failFirst(1, (_q, res) => json(res, 503, {})));
    const res = await w.client.request({ method: 'POST', path: '/graphql', route: '/graphql', body: {}, idempotent: true }, w.ctx());
    expect(res.status).toBe(200);
    expect(w.server.arrivals).toHaveLength(2);
  });
});

describe('retry budget and circuit breaker under a total outage', () => {
  it('keeps attempts within 1.1 × 500 calls when the breaker never opens', async () => {
    const w = await world((_q, res) => json(res, 503, {}), { breaker: { minimumRequests: 1_000_000 } });
    for (let batch = 0; batch < 10; batch++) {
      const calls = Array.from({ length: 50 }, () => rejection(w.client.request(GET, w.ctx())));
      const errors = await Promise.all(calls);
      expect(errors.every((e) => e.code === 'UPSTREAM_UNAVAILABLE')).toBe(true);
    }
    expect(w.server.arrivals.length).toBeGreaterThan(500);
    expect(w.server.arrivals.length).toBeLessThanOrEqual(550);
  });

  it('opens the breaker, fails fast without network while open, probes once half-open and closes on recovery', async () => {
    const changes = listen<BreakerStateEvent>(HTTP_CHANNELS.breaker);
    let healthy = false;
    const w = await world((_q, res) => (healthy ? json(res, 200, {}) : json(res, 503, {})));
    const durations: number[] = [];
    let arrivalsWhenOpened = -1;
    for (let i = 0; i < 500; i++) {
      const wasOpen = w.client.breakerState() === 'open';
      if (wasOpen && arrivalsWhenOpened < 0) arrivalsWhenOpened = w.server.arrivals.length;
      const started = performance.now();
      const error = await rejection(w.client.request(GET, w.ctx()));
      if (wasOpen) {
        durations.push(performance.now() - started);
        expect(error.code).toBe('UPSTREAM_UNAVAILABLE');
        expect(error.meta).toMatchObject({ reason: 'circuit_open', attempts: 0 });
      }
    }
    expect(w.server.arrivals.length).toBeLessThanOrEqual(550);
    expect(arrivalsWhenOpened).toBeGreaterThanOrEqual(20);
    expect(w.server.arrivals.length).toBe(arrivalsWhenOpened);
    expect(durations.length).toBeGreaterThan(400);
    // p99, not max: a GC pause or a busy CI neighbour is not the breaker's doing.
    const sorted = [...durations].sort((a, b) => a - b);
    expect(sorted[Math.floor(sorted.length * 0.99)]).toBeLessThan(5);
    expect(w.client.breakerState()).toBe('open');

    healthy = true;
    w.clock.advance(5000);
    expect(w.client.breakerState()).toBe('half-open');
    const burst = await Promise.allSettled(Array.from({ length: 10 }, () => w.client.request(GET, w.ctx())));
    expect(burst.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(w.server.arrivals.length).toBe(arrivalsWhenOpened + 1);
    expect(w.client.breakerState()).toBe('closed');
    expect((await w.client.request(GET, w.ctx())).status).toBe(200);
    expect(changes.filter((c) => c.provider === 'catalog').map((c) => `${c.from}>${c.to}`)).toEqual([
      'closed>open',
      'open>half-open',
      'half-open>closed',
    ]);
  });

  it('re-opens when the half-open probe fails', async () => {
    const w = await world((_q, res) => json(res, 503, {}), { breaker: { minimumRequests: 4 } });
    for (let i = 0; i < 4; i++) await rejection(w.client.request(GET, w.ctx()));
    expect(w.client.breakerState()).toBe('open');
    const before = w.server.arrivals.length;
    w.clock.advance(5000);
    const error = await rejection(w.client.request(GET, w.ctx()));
    expect(error.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(w.server.arrivals.length).toBe(before + 1);
    expect(w.client.breakerState()).toBe('open');
  });
});
