import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AdmissionRefused, createAdmissionLimit, type AdmissionLimit } from '../../src/plugins/admission/admission-limit';

// The event loop's utilisation is scripted: each adapt() reads the next value.
let load: number[];
const utilization = () => load.shift() ?? 0;
let limiter: AdmissionLimit;

beforeEach(() => {
  vi.useFakeTimers();
  load = [];
});
afterEach(() => {
  limiter.close();
  vi.useRealTimers();
});

function holdAll(n: number): (() => void)[] {
  const releases: (() => void)[] = [];
  for (let i = 0; i < n; i++) {
    const release = limiter.tryAcquire();
    if (release === undefined) throw new Error(`no slot for request ${i + 1}`);
    releases.push(release);
  }
  return releases;
}

describe('admission limit', () => {
  it('starts at the ceiling: nothing waits until the loop is saturated', () => {
    limiter = createAdmissionLimit({ minConcurrent: 2, maxConcurrent: 40, utilization });
    holdAll(40);
    expect(limiter.tryAcquire()).toBeUndefined();
    expect(limiter.state()).toEqual({ limit: 40, active: 40, queued: 0 });
  });

  it('drops to 90% of what is in flight while saturated, never below the floor, and grows 10% a sample when the loop has room', () => {
    limiter = createAdmissionLimit({ minConcurrent: 4, maxConcurrent: 100, utilization });
    const releases = holdAll(30);
    load = [0.97, 0.98, 0.99, 0.99, 0.99, 0.5, 0.5];
    limiter.adapt();
    expect(limiter.state().limit).toBe(27); // floor(30 × 0.9)
    limiter.adapt();
    expect(limiter.state().limit).toBe(24); // floor(min(27, 30 active) × 0.9)
    for (const release of releases.splice(0, 26)) release();
    limiter.adapt();
    expect(limiter.state().limit).toBe(4); // floor(4 active × 0.9) = 3, held at the floor
    limiter.adapt();
    limiter.adapt();
    expect(limiter.state().limit).toBe(4);
    limiter.adapt();
    expect(limiter.state().limit).toBe(5); // 4 + max(1, ceil(0.4))
    limiter.adapt();
    expect(limiter.state().limit).toBe(6);
  });

  it('queues in FIFO order when at the limit and grants each freed slot to the oldest waiter', async () => {
    limiter = createAdmissionLimit({ minConcurrent: 1, maxConcurrent: 2, utilization });
    const [first, second] = holdAll(2);
    const order: string[] = [];
    const a = limiter.acquire().then((release) => (order.push('a'), release));
    const b = limiter.acquire().then((release) => (order.push('b'), release));
    // A new request cannot overtake the queue even when a slot is free for a moment.
    expect(limiter.state()).toEqual({ limit: 2, active: 2, queued: 2 });
    first?.();
    first?.(); // releasing twice frees one slot only
    const releaseA = await a;
    expect(order).toEqual(['a']);
    expect(limiter.state()).toEqual({ limit: 2, active: 2, queued: 1 });
    expect(limiter.tryAcquire()).toBeUndefined();
    second?.();
    const releaseB = await b;
    expect(order).toEqual(['a', 'b']);
    releaseA();
    releaseB();
    expect(limiter.state()).toEqual({ limit: 2, active: 0, queued: 0 });
  });

  it('refuses at once when the queue is full, and after the longest wait', async () => {
    limiter = createAdmissionLimit({ minConcurrent: 1, maxConcurrent: 1, maxQueued: 1, maxQueueMs: 2000, utilization });
    holdAll(1);
    const waiting = limiter.acquire();
    await expect(limiter.acquire()).rejects.toMatchObject({ reason: 'queue_full' });
    vi.advanceTimersByTime(1999);
    expect(limiter.state().queued).toBe(1);
    vi.advanceTimersByTime(1);
    await expect(waiting).rejects.toBeInstanceOf(AdmissionRefused);
    await expect(waiting).rejects.toMatchObject({ reason: 'queue_timeout' });
    expect(limiter.state()).toEqual({ limit: 1, active: 1, queued: 0 });
  });

  it('skips a waiter whose client went away', async () => {
    limiter = createAdmissionLimit({ minConcurrent: 1, maxConcurrent: 1, utilization });
    const [held] = holdAll(1);
    const gone = new AbortController();
    const abandoned = limiter.acquire(gone.signal);
    abandoned.catch(() => undefined);
    const next = limiter.acquire();
    gone.abort();
    held?.();
    const release = await next;
    expect(limiter.state()).toEqual({ limit: 1, active: 1, queued: 0 });
    release();
    // Ended without a slot, so that its request finishes instead of waiting forever.
    await expect(abandoned).rejects.toMatchObject({ reason: 'client_gone' });
  });

  it('adapts on its own timer', () => {
    limiter = createAdmissionLimit({ minConcurrent: 1, maxConcurrent: 10, sampleMs: 100, utilization });
    holdAll(10);
    load = [1, 1];
    vi.advanceTimersByTime(100);
    expect(limiter.state().limit).toBe(9);
    vi.advanceTimersByTime(100);
    expect(limiter.state().limit).toBe(8);
  });
});
