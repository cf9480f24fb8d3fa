// Adaptive admission: how many GraphQL requests execute at once, the rest wait in a FIFO queue.
// When the event loop is saturated, more requests in flight add no throughput, only memory, GC work
// (each holds its providers' answers and its half-built result while it waits for the CPU) and
// latency for everyone. So while the loop is saturated the limit drops to 90% of what is in flight
// (never below the floor), and while it has room the limit grows by 10% per sample (never above the
// ceiling). With slow providers the loop never saturates, the limit grows to what the traffic needs
// and nothing waits; under a CPU-bound overload requests queue briefly instead of all slowing down,
// and a full queue or a long wait is refused at once with 503 OVERLOADED rather than timing out.
// The floor (64) is what a saturated loop always admits: 50 connections on the bench never queue;
// a flood of clients does (below). Measured on the order page at 50 connections (bench) while V8's
// pretenuring promoted request data (see node-options.ts), limiting to fewer gave CPU per request
// −10 to −15%, p99 −30 to −45%, peak RSS −40 MB; with pretenuring off a low floor costs ~10 % req/s
// instead (minConcurrent below).
// "Saturated" is a utilisation of 0.97, not 0.9: the limit settles where the samples straddle the
// threshold, and at 0.9 a log of the limit showed it at 8–19 with the loop idle ~12% of the time
// while 30–40 requests waited (providers answer in bursts). Interleaved A/B in one bench run, three
// runs: order page +5 to +18% req/s and p99 −21 to −24%; single entity +7 to +11% req/s, p99 +20 to +37%.
// Growing in proportion to the idle time while requests wait (×saturation/utilisation, at most ×2)
// was tried: +4 and +6.7% req/s in two A/B runs, but the full run after it had a peak RSS of 466 MB
// on the order page (289–313 MB before), above plain Yoga's; taken out until that is understood.
import { performance } from 'node:perf_hooks';
import { ADMISSION_DEFAULTS } from '../config/env';

export interface AdmissionLimitOptions {
  /**
   * The limit never drops below this: what is always admitted, so that requests waiting on their
   * providers keep a saturated loop busy. An order page waits ~35 ms on providers for ~2 ms of CPU,
   * so fewer than ~20 in flight leave the loop idle. Interleaved A/B on the order page at 50
   * connections, after pretenuring was turned off (node-options.ts): floor 64 vs 4, +2, +9, +10 and
   * +8 % req/s in four process pairs (roles swapped every other pair), p99 lower in three; the
   * limit off altogether vs floor 4, +11 % on average over ten pairs. Under `next start` no change was
   * seen (2.5–3.1 ms of CPU per order page with either floor, six measurements). The floors of 4 to 16
   * measured before (4 best) were taken while promotion made every request in flight expensive. @default 64
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
