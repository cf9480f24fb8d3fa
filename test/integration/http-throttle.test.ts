// Outbound throttle: token bucket (in memory and shared through Redis) and concurrency cap.
// Bucket waits run on a manual clock; windows are measured on the clock time of each attempt.
import { randomUUID } from 'node:crypto';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createProviderClient, type ResilientHttpClient } from '../../src/http/client';
import type { ProviderClientOptions } from '../../src/http/options';
import type { UpstreamRequest } from '../../src/http/types';
import { HTTP_CHANNELS, type HttpAttemptEvent } from '../../src/observability/channels';
import { json, startLoopback, type Handler, type Loopback, rejection } from '../helpers/http-loopback';
import { createManualClock, type ManualClock } from '../helpers/manual-clock';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

const GET: UpstreamRequest = { method: 'GET', path: '/products', route: '/products' };

function attemptsOf(provider: string): HttpAttemptEvent[] {
  const seen: HttpAttemptEvent[] = [];
  const fn = (message: unknown): void => {
    const event = message as HttpAttemptEvent;
    if (event.provider === provider) seen.push(event);
  };
  subscribe(HTTP_CHANNELS.attempt, fn);
  cleanup.push(() => {
    unsubscribe(HTTP_CHANNELS.attempt, fn);
  });
  return seen;
}

/** The most attempts that fall in any window [t, t + windowMs). */
function busiestWindow(times: number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end++) {
    while ((sorted[end] ?? 0) - (sorted[start] ?? 0) >= windowMs) start++;
    best = Math.max(best, end - start + 1);
  }
  return best;
}

async function server(handler: Handler, clock: ManualClock): Promise<Loopback> {
  const s = await startLoopback(handler, () => clock.now());
  cleanup.push(() => s.close());
  return s;
}

function client(options: ProviderClientOptions): ResilientHttpClient {
  const c = createProviderClient(options);
  cleanup.push(() => c.close());
  return c;
}

describe('token bucket in memory', () => {
  it('sends 300 simultaneous calls at 50 req/s with burst 20 without exceeding the bucket in any second', async () => {
    const clock = createManualClock({ autoAdvance: true });
    const s = await server((_q, res) => json(res, 200, {}), clock);
    const events = attemptsOf('mem-bucket');
    const c = client({ name: 'mem-bucket', baseUrl: s.url, clock, rateLimit: { ratePerSecond: 50, burst: 20 } });
    const start = clock.now();
    const results = await Promise.all(
      Array.from({ length: 300 }, () => c.request(GET, { requestId: 'r', deadlineAt: start + 60_000 })),
    );
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(s.arrivals).toHaveLength(300);
    const times = events.map((e) => e.at);
    expect(times).toHaveLength(300);
    expect(busiestWindow(times, 1000)).toBeLessThanOrEqual(50 + 20);
    expect(times.filter((t) => t === start)).toHaveLength(20);
    // (300 - 20) tokens at 50/s take 5.6 s of clock time.
    expect(Math.max(...times) - start).toBe(5600);
  });

  it('fails at once with UPSTREAM_RATE_LIMITED when the wait for a token would pass the deadline', async () => {
    const clock = createManualClock({ autoAdvance: true });
    const s = await server((_q, res) => json(res, 200, {}), clock);
    const c = client({ name: 'slow-bucket', baseUrl: s.url, clock, rateLimit: { ratePerSecond: 0.5, burst: 1 } });
    await c.request(GET, { requestId: 'r', deadlineAt: clock.now() + 1000 });
    const error = await rejection(c.request(GET, { requestId: 'r', deadlineAt: clock.now() + 1000 }));
    expect(error.code).toBe('UPSTREAM_RATE_LIMITED');
    expect(error.retryAfterSeconds).toBe(2);
    expect(error.meta).toMatchObject({ limit: 'rate', throttle: 'outbound' });
    expect(s.arrivals).toHaveLength(1);
  });
});

describe('concurrency cap', () => {
  it('keeps at most maxConcurrent calls on the wire; the rest wait for a slot', async () => {
    const clock = createManualClock();
    const held: (() => void)[] = [];
    let onWire = 0;
    let peak = 0;
    const s = await server((_q, res) => {
      onWire += 1;
      peak = Math.max(peak, onWire);
      held.push(() => {
        onWire -= 1;
        json(res, 200, {});
      });
    }, clock);
    const c = client({ name: 'capped', baseUrl: s.url, clock, maxConcurrent: 3 });
    const calls = Array.from({ length: 10 }, () => c.request(GET, { requestId: 'r', deadlineAt: clock.now() + 5000 }));
    // Each round: wait (bounded) until every slot is on the wire, then answer one call.
    for (let released = 0; released < 10; released++) {
      const expected = Math.min(3, 10 - released);
      for (let i = 0; i < 1000 && held.length < expected; i++) await new Promise((resolve) => setImmediate(resolve));
      expect(held).toHaveLength(expected);
      held.shift()?.();
    }
    await Promise.all(calls);
    expect(s.arrivals).toHaveLength(10);
    expect(peak).toBe(3);
  });

  it('fails with UPSTREAM_RATE_LIMITED when no slot frees up before the deadline', async () => {
    const clock = createManualClock();
    const held: (() => void)[] = [];
    const s = await server((_q, res) => {
      held.push(() => json(res, 200, {}));
    }, clock);
    const c = client({ name: 'capped', baseUrl: s.url, clock, maxConcurrent: 1 });
    const first = c.request(GET, { requestId: 'r', deadlineAt: clock.now() + 5000 });
    const error = await rejection(c.request(GET, { requestId: 'r', deadlineAt: clock.now() + 50 }));
    expect(error.code).toBe('UPSTREAM_RATE_LIMITED');
    expect(error.meta).toMatchObject({ limit: 'concurrency' });
    for (const release of held) release();
    expect((await first).status).toBe(200);
    expect(s.arrivals).toHaveLength(1);
  });
});

describe('shared through Redis (127.0.0.1:6379)', () => {
  let redis: Redis;
  const prefix = `test:bff:http:${randomUUID()}:`;

  beforeAll(async () => {
    redis = new Redis({ host: '127.0.0.1', port: 6379, lazyConnect: true, maxRetriesPerRequest: 1 });
    await redis.connect();
  });
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  it('two clients sharing one bucket stay within 20 req/s + burst 5 together', async () => {
    const clock = createManualClock({ autoAdvance: true });
    const s = await server((_q, res) => json(res, 200, {}), clock);
    const events = attemptsOf('shared-bucket');
    const options: ProviderClientOptions = {
      name: 'shared-bucket',
      baseUrl: s.url,
      clock,
      rateLimit: { ratePerSecond: 20, burst: 5 },
      shared: { redis, keyPrefix: prefix },
    };
    const a = client(options);
    const b = client(options);
    const start = clock.now();
    const ctx = { requestId: 'r', deadlineAt: start + 60_000 };
    const results = await Promise.all([
      ...Array.from({ length: 60 }, () => a.request(GET, ctx)),
      ...Array.from({ length: 60 }, () => b.request(GET, ctx)),
    ]);
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(s.arrivals).toHaveLength(120);
    const times = events.map((e) => e.at);
    expect(busiestWindow(times, 1000)).toBeLessThanOrEqual(20 + 5);
    // (120 - 5) tokens at 20/s: 5.75 s of clock time, shared by both clients.
    expect(Math.max(...times) - start).toBeGreaterThanOrEqual(5750);
    expect(await redis.exists(`${prefix}bucket:shared-bucket`)).toBe(1);
  });

  it('falls back to a local bucket when Redis is unreachable', async () => {
    const clock = createManualClock({ autoAdvance: true });
    const s = await server((_q, res) => json(res, 200, {}), clock);
    const down = new Redis({ host: '127.0.0.1', port: 1, lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0 });
    down.on('error', () => {}); // the refused connection is the point of the test
    cleanup.push(() => down.disconnect());
    const events = attemptsOf('redis-down');
    const c = client({ name: 'redis-down', baseUrl: s.url, clock, rateLimit: { ratePerSecond: 10, burst: 2 }, shared: { redis: down } });
    const start = clock.now();
    const results = await Promise.all(Array.from({ length: 12 }, () => c.request(GET, { requestId: 'r', deadlineAt: start + 60_000 })));
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(Math.max(...events.map((e) => e.at)) - start).toBe(1000);
  });

  /** A token endpoint and an API that echoes the bearer it got; options for clients sharing Redis. */
  async function oauthWorld(name: string, token: Handler, extra: Partial<ProviderClientOptions> = {}) {
    const clock = createManualClock();
    const auth = await server(token, clock);
    const api = await server((q, res) => json(res, 200, { auth: q.headers.authorization }), clock);
    const options: ProviderClientOptions = {
      name,
      baseUrl: api.url,
      clock,
      auth: { kind: 'oauth2', tokenUrl: `${auth.url}/token`, clientId: 'gw', clientSecret: 'secret' },
      shared: { redis, keyPrefix: prefix },
      ...extra,
    };
    return { clock, auth, options };
  }

  it('two clients share one OAuth2 token through Redis', async () => {
    let issued = 0;
    const { clock, auth, options } = await oauthWorld('shared-oauth', (_q, res) => {
      issued += 1;
      json(res, 200, { access_token: `t${issued}`, expires_in: 3600 });
    });
    const a = client(options);
    const b = client(options);
    const ctx = { requestId: 'r', deadlineAt: clock.now() + 5000 };
    const first = await a.request(GET, ctx);
    const second = await b.request(GET, ctx);
    expect(auth.arrivals).toHaveLength(1);
    expect([first.body, second.body]).toEqual([{ auth: 'Bearer t1' }, { auth: 'Bearer t1' }]);
    const stored = await redis.get(`${prefix}oauth:shared-oauth:gw`);
    expect(stored).not.toBeNull();
    expect(stored).not.toContain('secret');
  });

  it('two cold clients fetch one OAuth2 token between them: the lock holder fetches, the other waits for it', async () => {
    let issued = 0;
    let answer: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (answer = resolve));
    const { clock, auth, options } = await oauthWorld('cold-oauth', async (_q, res) => {
      issued += 1;
      await held;
      json(res, 200, { access_token: `t${issued}`, expires_in: 3600 });
    });
    const ctx = { requestId: 'r', deadlineAt: clock.now() + 5000 };
    const a = client(options).request(GET, ctx);
    const b = client(options).request(GET, ctx);
    const until = async (done: () => boolean) => {
      for (let i = 0; i < 2000 && !done(); i++) await new Promise<void>((resolve) => setImmediate(resolve));
      expect(done()).toBe(true);
    };
    // One of them reached the token endpoint; the other lost the lock and sleeps until it looks again.
    await until(() => auth.arrivals.length === 1 && clock.pending() === 1);
    answer();
    // The holder writes the token to Redis; the sleeper finds it when it looks again.
    let stored: string | null = null;
    for (let i = 0; i < 2000 && stored === null; i++) stored = await redis.get(`${prefix}oauth:cold-oauth:gw`);
    expect(stored).not.toBeNull();
    clock.advance(25);
    const [first, second] = await Promise.all([a, b]);
    expect(auth.arrivals).toHaveLength(1);
    expect([first.body, second.body]).toEqual([{ auth: 'Bearer t1' }, { auth: 'Bearer t1' }]);
    expect(await redis.get(`${prefix}oauth:cold-oauth:gw:lock`)).toBeNull();
  });

  it('a waiter whose lock holder failed to get a token fetches its own at once, not after the token timeout', async () => {
    let calls = 0;
    let answer: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (answer = resolve));
    const { clock, auth, options } = await oauthWorld(
      'failed-oauth',
      async (_q, res) => {
        calls += 1;
        if (calls === 1) {
          await held;
          json(res, 500, { error: 'server_error' });
          return;
        }
        json(res, 200, { access_token: 'second', expires_in: 3600 });
      },
      { retry: { maxRetries: 0 } },
    );
    const ctx = { requestId: 'r', deadlineAt: clock.now() + 60_000 };
    const a = client(options).request(GET, ctx);
    const b = client(options).request(GET, ctx);
    a.catch(() => undefined);
    for (let i = 0; i < 2000 && !(auth.arrivals.length === 1 && clock.pending() === 1); i++) await new Promise<void>((resolve) => setImmediate(resolve));
    expect([auth.arrivals.length, clock.pending()]).toEqual([1, 1]);
    answer();
    await expect(a).rejects.toMatchObject({ code: 'UPSTREAM_AUTH_FAILED' });
    clock.advance(25); // one poll: no token and no lock any more
    const second = await b;
    expect(second.body).toEqual({ auth: 'Bearer second' });
    expect(auth.arrivals).toHaveLength(2);
  });
});
