// Adaptive admission: how many GraphQL requests execute at once, the rest wait in a FIFO queue.
// When the event loop is saturated, more requests in flight add no throughput, only memory, GC work
// (each holds its providers' answers and its half-built result while it waits for the CPU) and
// latency for everyone. So while the loop is saturated the limit drops to 90% of what is in flight
// (never below the floor), and while it has room the limit grows by 10% per sample (never above the
// ceiling). With slow providers the loop never saturates, the limit grows to what the traffic needs
// and nothing waits; under a CPU-bound overload requests queue briefly instead of all slowing down,
// and a full queue or a long wait is refused at once with 503 OVERLOADED rather than timing out.
// The floor is what a saturated loop always admits, so that requests waiting on their providers keep
// it busy (see test/bench/README.md#admission-floor). "Saturated" is a utilisation of 0.97, not 0.9:
// the limit settles where the samples straddle the threshold, and at 0.9 it settled low enough to
// leave the loop idle while requests waited (see test/bench/README.md#admission-saturation).
import { performance } from 'node:perf_hooks';
import { ADMISSION_DEFAULTS } from '../../config/env';

export interface AdmissionLimitOptions {
  /**
   * The limit never drops below this: what is always admitted, so that requests waiting on their
   * providers keep a saturated loop busy (an order page waits ~35 ms on providers for ~2 ms of CPU;
   * see test/bench/README.md#admission-floor). @default 64
   */
  readonly minConcurrent?: number;
  /** The limit never grows above this. @default 512 */
  readonly maxConcurrent?: number;
  /** Requests that may wait for a slot; one more is refused at once. @default 1024 */
  readonly maxQueued?: number;
  /** Longest wait for a slot before the request is refused (checked every sample, so up to `sampleMs` later). @default 2000 */
  readonly maxQueueMs?: number;
  /** Event-loop utilisation (0–1) at or above which the loop counts as saturated. @default 0.97 */
  readonly saturation?: number;
  /** How often the limit adapts. @default 100 */
  readonly sampleMs?: number;
  /** Event-loop utilisation since the previous call. @default perf_hooks.eventLoopUtilization deltas */
  readonly utilization?: () => number;
  /** Clock for queue waits. @default Date.now */
  readonly now?: () => number;
}

export type RefusalReason = 'queue_full' | 'queue_timeout' | 'client_gone';

const REASONS: Record<RefusalReason, string> = {
  queue_full: 'The admission queue is full.',
  queue_timeout: 'No slot became free in time.',
  client_gone: 'The client went away while waiting.',
};

/** Thrown by `acquire` when a request cannot get a slot. */
export class AdmissionRefused extends Error {
  constructor(readonly reason: RefusalReason) {
    super(REASONS[reason]);
  }
}

export interface AdmissionState {
  readonly limit: number;
  readonly active: number;
  readonly queued: number;
}

export interface AdmissionLimit {
  /** A slot now, or undefined when the caller must `acquire` (and wait its turn). */
  tryAcquire(): (() => void) | undefined;
  /** Waits for a slot (FIFO); rejects with AdmissionRefused. A waiter whose signal aborted is dropped. */
  acquire(signal?: AbortSignal): Promise<() => void>;
  /** One adaptation step; the sampling timer calls it. */
  adapt(): void;
  state(): AdmissionState;
  close(): void;
}

interface Waiter {
  readonly grant: (release: () => void) => void;
  readonly refuse: (error: AdmissionRefused) => void;
  readonly signal: AbortSignal | undefined;
  /** Clock time it joined the queue. */
  readonly since: number;
}

function eventLoopUtilization(): () => number {
  let previous = performance.eventLoopUtilization();
  return () => {
    const now = performance.eventLoopUtilization();
    const delta = performance.eventLoopUtilization(now, previous);
    previous = now;
    return delta.utilization;
  };
}

export function createAdmissionLimit(options: AdmissionLimitOptions = {}): AdmissionLimit {
  const min = Math.max(1, options.minConcurrent ?? ADMISSION_DEFAULTS.minConcurrent);
  const max = Math.max(min, options.maxConcurrent ?? ADMISSION_DEFAULTS.maxConcurrent);
  const maxQueued = options.maxQueued ?? ADMISSION_DEFAULTS.maxQueued;
  const maxQueueMs = options.maxQueueMs ?? ADMISSION_DEFAULTS.queueTimeoutMs;
  const saturation = options.saturation ?? ADMISSION_DEFAULTS.saturation;
  const utilization = options.utilization ?? eventLoopUtilization();
  const now = options.now ?? Date.now;
  let limit = max;
  let active = 0;
  const queue: Waiter[] = [];

  function slot(): () => void {
    active += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      active -= 1;
      drain();
    };
  }

  function drain(): void {
    while (active < limit && queue.length > 0) {
      const waiter = queue.shift();
      if (waiter === undefined) break;
      // Its client went away while it waited: end it without running it (nobody reads the answer).
      if (waiter.signal?.aborted === true) {
        waiter.refuse(new AdmissionRefused('client_gone'));
        continue;
      }
      waiter.grant(slot());
    }
  }

  const sampler = setInterval(() => limiter.adapt(), options.sampleMs ?? 100);
  sampler.unref();

  const limiter: AdmissionLimit = {
    tryAcquire() {
      return active < limit && queue.length === 0 ? slot() : undefined;
    },
    acquire(signal) {
      if (queue.length >= maxQueued) return Promise.reject(new AdmissionRefused('queue_full'));
      return new Promise((grant, refuse) => {
        // No timer per waiter (most requests wait under saturation): the sampler expires old ones.
        const waiter: Waiter = { grant, refuse, signal, since: now() };
        queue.push(waiter);
        drain();
      });
    },
    adapt() {
      // FIFO: the oldest waiters are at the head.
      const expired = now() - maxQueueMs;
      while (queue.length > 0 && (queue[0]?.since ?? Infinity) <= expired) queue.shift()?.refuse(new AdmissionRefused('queue_timeout'));
      if (utilization() >= saturation) limit = Math.max(min, Math.floor(Math.min(limit, active) * 0.9));
      else limit = Math.min(max, limit + Math.max(1, Math.ceil(limit * 0.1)));
      drain();
    },
    state: () => ({ limit, active, queued: queue.length }),
    close() {
      clearInterval(sampler);
      for (const waiter of queue.splice(0)) waiter.refuse(new AdmissionRefused('queue_full'));
    },
  };
  return limiter;
}
