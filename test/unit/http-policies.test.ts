// The resilience policies on their own, on a manual clock: Retry-After parsing, backoff,
// retry decisions, retry budget, breaker state machine, token bucket, concurrency limit.
import { describe, expect, it } from 'vitest';
import { createBreaker } from '../../src/http/breaker';
import { classifyStatus, parseRetryAfter, type Failure } from '../../src/http/classify';
import { createConcurrencyLimit } from '../../src/http/concurrency';
import { DEFAULT_BREAKER, DEFAULT_RETRY } from '../../src/http/options';
import { backoffMs, decideRetry, isSafeToRetry } from '../../src/http/retry';
import { createRetryBudget } from '../../src/http/retry-budget';
import { createMemoryBucket } from '../../src/http/token-bucket';
import { createManualClock } from '../helpers/manual-clock';

const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);

describe('parseRetryAfter', () => {
  it('reads delta-seconds and HTTP-dates, ignores garbage', () => {
    expect(parseRetryAfter('1', NOW)).toBe(1000);
    expect(parseRetryAfter(' 120 ', NOW)).toBe(120_000);
    expect(parseRetryAfter(new Date(NOW + 5000).toUTCString(), NOW)).toBe(5000);
    expect(parseRetryAfter(new Date(NOW - 5000).toUTCString(), NOW)).toBe(0);
    expect(parseRetryAfter('soon', NOW)).toBeUndefined();
    expect(parseRetryAfter('-3', NOW)).toBeUndefined();
    expect(parseRetryAfter(undefined, NOW)).toBeUndefined();
  });
});

describe('classifyStatus', () => {
  const pass = new Set([400, 404, 409, 422]);
  it('passes 2xx and owned 4xx, classifies the rest', () => {
    expect(classifyStatus(200, {}, pass, NOW)).toBeUndefined();
    expect(classifyStatus(404, {}, pass, NOW)).toBeUndefined();
    expect(classifyStatus(429, { 'retry-after': '3' }, pass, NOW)).toMatchObject({ code: 'UPSTREAM_RATE_LIMITED', transient: true, unhealthy: false, retryAfterMs: 3000 });
    expect(classifyStatus(502, {}, pass, NOW)).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', transient: true, unhealthy: true });
    expect(classifyStatus(500, {}, pass, NOW)).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', transient: false, unhealthy: true });
    expect(classifyStatus(401, {}, pass, NOW)).toMatchObject({ code: 'UPSTREAM_AUTH_FAILED', reason: 'unauthorized' });
    expect(classifyStatus(403, {}, pass, NOW)).toMatchObject({ code: 'UPSTREAM_AUTH_FAILED', reason: 'forbidden' });
    expect(classifyStatus(418, {}, pass, NOW)).toMatchObject({ code: 'UPSTREAM_BAD_RESPONSE' });
  });
});

describe('retry decisions', () => {
  const transient: Failure = { reason: 'server_error', code: 'UPSTREAM_UNAVAILABLE', status: 503, transient: true, unhealthy: true };
  const base = { failure: transient, safe: true, retriesSoFar: 0, remainingMs: 10_000, options: DEFAULT_RETRY, random: () => 0.999, takeBudget: () => true };

  it('knows which calls are safe', () => {
    expect(isSafeToRetry({ method: 'GET', path: '/', route: '/' })).toBe(true);
    expect(isSafeToRetry({ method: 'HEAD', path: '/', route: '/' })).toBe(true);
    expect(isSafeToRetry({ method: 'POST', path: '/', route: '/' })).toBe(false);
    expect(isSafeToRetry({ method: 'POST', path: '/', route: '/', idempotent: true })).toBe(true);
    expect(isSafeToRetry({ method: 'PATCH', path: '/', route: '/', idempotencyKey: 'k' })).toBe(true);
  });

  it('uses full-jitter exponential backoff capped at maxDelayMs', () => {
    expect([1, 2, 3, 10].map((n) => backoffMs(n, DEFAULT_RETRY, () => 0.999))).toEqual([99, 199, 399, 1998]);
    expect(backoffMs(3, DEFAULT_RETRY, () => 0)).toBe(0);
  });

  it('retries transient failures of safe calls up to maxRetries', () => {
    expect(decideRetry(base)).toEqual({ retry: true, waitMs: 99 });
    expect(decideRetry({ ...base, retriesSoFar: 2 })).toEqual({ retry: false, why: 'exhausted' });
    expect(decideRetry({ ...base, safe: false })).toEqual({ retry: false, why: 'unsafe' });
    expect(decideRetry({ ...base, failure: { ...transient, transient: false } })).toEqual({ retry: false, why: 'not_transient' });
    expect(decideRetry({ ...base, takeBudget: () => false })).toEqual({ retry: false, why: 'budget' });
  });

  it('prefers Retry-After and fails at once, carrying it, when it would pass the deadline', () => {
    expect(decideRetry({ ...base, failure: { ...transient, retryAfterMs: 1000 } })).toEqual({ retry: true, waitMs: 1000 });
    expect(decideRetry({ ...base, failure: { ...transient, retryAfterMs: 120_000 } })).toEqual({ retry: false, why: 'deadline', retryAfterMs: 120_000 });
    let asked = 0;
    decideRetry({ ...base, failure: { ...transient, retryAfterMs: 120_000 }, takeBudget: () => (asked += 1) > 0 });
    expect(asked).toBe(0);
  });
});

describe('retry budget', () => {
  it('allows max(10 % of requests, floor) retries per window and forgets old windows', () => {
    const clock = createManualClock();
    const budget = createRetryBudget({ ...DEFAULT_RETRY, budgetMinPerSecond: 1, budgetWindowMs: 10_000 }, clock);
    for (let i = 0; i < 300; i++) budget.recordRequest();
    let granted = 0;
    for (let i = 0; i < 100; i++) if (budget.tryRetry()) granted += 1;
    expect(granted).toBe(30);
    clock.advance(10_000);
    granted = 0;
    for (let i = 0; i < 100; i++) if (budget.tryRetry()) granted += 1;
    expect(granted).toBe(10); // the floor: 1/s over a 10 s window
  });
});

describe('circuit breaker', () => {
  it('stays closed below the minimum volume, opens at the ratio, half-opens after the wait', () => {
    const clock = createManualClock();
    const changes: string[] = [];
    const breaker = createBreaker({ ...DEFAULT_BREAKER, minimumRequests: 10 }, clock, (from, to) => changes.push(`${from}>${to}`));
    for (let i = 0; i < 9; i++) breaker.record(breaker.admit() ?? { probe: false }, 'failure');
    expect(breaker.state()).toBe('closed');
    breaker.record(breaker.admit() ?? { probe: false }, 'success');
    expect(breaker.state()).toBe('open');
    expect(breaker.admit()).toBeUndefined();
    expect(breaker.reopenInMs()).toBe(5000);
    clock.advance(4999);
    expect(breaker.admit()).toBeUndefined();
    clock.advance(1);
    const probe = breaker.admit();
    expect(probe).toEqual({ probe: true });
    expect(breaker.admit()).toBeUndefined();
    if (probe === undefined) throw new Error('no probe');
    breaker.record(probe, 'success');
    expect(breaker.state()).toBe('closed');
    expect(changes).toEqual(['closed>open', 'open>half-open', 'half-open>closed']);
  });

  it('does not open below the failure ratio, and old outcomes slide out of the window', () => {
    const clock = createManualClock();
    const breaker = createBreaker({ ...DEFAULT_BREAKER, minimumRequests: 10 }, clock, () => {});
    for (let i = 0; i < 6; i++) breaker.record({ probe: false }, 'success');
    for (let i = 0; i < 5; i++) breaker.record({ probe: false }, 'failure');
    expect(breaker.state()).toBe('closed');
    clock.advance(10_000);
    for (let i = 0; i < 9; i++) breaker.record({ probe: false }, 'failure');
    expect(breaker.state()).toBe('closed');
  });

  it('frees the probe slot when the probe is ignored (cancelled)', () => {
    const clock = createManualClock();
    const breaker = createBreaker({ ...DEFAULT_BREAKER, minimumRequests: 1 }, clock, () => {});
    breaker.record({ probe: false }, 'failure');
    clock.advance(5000);
    const probe = breaker.admit();
    if (probe === undefined) throw new Error('no probe');
    breaker.record(probe, 'ignored');
    expect(breaker.state()).toBe('half-open');
    expect(breaker.admit()).toEqual({ probe: true });
  });
});

describe('memory token bucket', () => {
  it('grants the burst at once, then reserves in order at the refill rate', async () => {
    const clock = createManualClock();
    const bucket = createMemoryBucket({ ratePerSecond: 10, burst: 3 }, clock);
    const waits: number[] = [];
    for (let i = 0; i < 6; i++) {
      const r = await bucket.reserve(1000);
      waits.push(r.waitMs);
    }
    expect(waits).toEqual([0, 0, 0, 100, 200, 300]);
    expect(await bucket.reserve(350)).toEqual({ granted: false, waitMs: 400 });
    clock.advance(1000);
    expect(await bucket.reserve(0)).toEqual({ granted: true, waitMs: 0 });
  });
});

describe('concurrency limit', () => {
  it('hands slots over in order and drops aborted waiters', async () => {
    const limit = createConcurrencyLimit(1);
    const release = await limit.acquire(new AbortController().signal);
    const aborted = new AbortController();
    const gone = limit.acquire(aborted.signal);
    const next = limit.acquire(new AbortController().signal);
    expect(limit.queued()).toBe(2);
    aborted.abort(new Error('left'));
    await expect(gone).rejects.toThrow('left');
    release();
    release(); // a second release of the same slot is a no-op
    const releaseNext = await next;
    expect(limit.inFlight()).toBe(1);
    releaseNext();
    expect(limit.inFlight()).toBe(0);
  });

  it('grants a free slot at once with tryAcquire, and never jumps the queue', async () => {
    const limit = createConcurrencyLimit(1);
    const first = limit.tryAcquire();
    expect(first).toBeTypeOf('function');
    expect(limit.tryAcquire()).toBeUndefined();
    const waiting = limit.acquire(new AbortController().signal);
    first?.();
    // The slot went to the queued waiter, not to a new caller.
    expect(limit.tryAcquire()).toBeUndefined();
    (await waiting)();
    expect(limit.inFlight()).toBe(0);
    expect(limit.tryAcquire()).toBeTypeOf('function');
  });
});

describe('manual clock', () => {
  it('wakes sleepers in order on advance, and jumps by itself with autoAdvance', async () => {
    const clock = createManualClock({ start: 0 });
    const woke: number[] = [];
    void clock.sleep(200).then(() => woke.push(200));
    void clock.sleep(100).then(() => woke.push(100));
    clock.advance(150);
    await Promise.resolve();
    expect(woke).toEqual([100]);
    clock.advance(50);
    await Promise.resolve();
    expect(woke).toEqual([100, 200]);

    const auto = createManualClock({ start: 0, autoAdvance: true });
    await auto.sleep(5000);
    expect(auto.now()).toBe(5000);
    expect(auto.slept).toBe(5000);
  });
});
