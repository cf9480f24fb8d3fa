// The guard every hot-path use of Redis goes through: a timeout far below the request deadline and
// a circuit breaker on Redis itself (src/http/breaker.ts), so that a Redis that is down or slow costs
// a request at most one timeout, and then nothing at all while the breaker is open: each user then
// falls back to its local state (memory budgets, its own bucket, a cache miss; see README "Redis").
import type { BreakerState } from '../observability/channels';
import { createBreaker } from '../http/breaker';
import { systemClock, type Clock } from '../http/clock';

/** Why a guarded call did not reach Redis or did not come back in time. */
export class RedisUnavailable extends Error {
  constructor(readonly reason: 'open' | 'timeout') {
    super(reason === 'open' ? 'Redis breaker open' : 'Redis did not answer in time');
  }
}

export type RedisOutcome = 'ok' | 'error' | 'timeout' | 'short_circuited';

export interface RedisGuardStats {
  readonly breaker: BreakerState;
  /** Calls by outcome since start (a bounded label set). */
  readonly calls: Readonly<Record<RedisOutcome, number>>;
}

export interface RedisGuard {
  /** Runs `op` unless the breaker is open; rejects with RedisUnavailable after `timeoutMs`. */
  run<T>(op: () => Promise<T>): Promise<T>;
  stats(): RedisGuardStats;
}

export interface RedisGuardOptions {
  /** Longest wait for one Redis call on the request path. @default 50 */
  readonly timeoutMs?: number;
  /** Consecutive-window failures that open the breaker: ratio of the calls in `windowMs`. @default 0.5 */
  readonly failureRatio?: number;
  /** No opening below this many calls in the window. @default 5 */
  readonly minimumCalls?: number;
  /** @default 5000 */
  readonly windowMs?: number;
  /** How long the breaker stays open before one probe call. @default 1000 */
  readonly halfOpenAfterMs?: number;
  /** @default systemClock */
  readonly clock?: Clock;
  readonly onBreakerChange?: (from: BreakerState, to: BreakerState) => void;
}

export function createRedisGuard(options: RedisGuardOptions = {}): RedisGuard {
  const timeoutMs = options.timeoutMs ?? 50;
  const breaker = createBreaker(
    { failureRatio: options.failureRatio ?? 0.5, minimumRequests: options.minimumCalls ?? 5, windowMs: options.windowMs ?? 5000, halfOpenAfterMs: options.halfOpenAfterMs ?? 1000 },
    options.clock ?? systemClock,
    (from, to) => options.onBreakerChange?.(from, to),
  );
  const calls: Record<RedisOutcome, number> = { ok: 0, error: 0, timeout: 0, short_circuited: 0 };

  return {
    async run(op) {
      const permit = breaker.admit();
      if (permit === undefined) {
        calls.short_circuited++;
        throw new RedisUnavailable('open');
      }
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        // Rejected after the poll phase: when a busy event loop wakes up, a reply already in the socket wins.
        timer = setTimeout(() => setImmediate(() => reject(new RedisUnavailable('timeout'))), timeoutMs);
      });
      try {
        const value = await Promise.race([op(), timeout]);
        calls.ok++;
        breaker.record(permit, 'success');
        return value;
      } catch (error) {
        const timedOut = error instanceof RedisUnavailable;
        calls[timedOut ? 'timeout' : 'error']++;
        // A script error (a wrong key type) is Redis answering: only silence and connection errors count.
        breaker.record(permit, timedOut || !(error instanceof Error && error.name === 'ReplyError') ? 'failure' : 'success');
        throw error;
      } finally {
        clearTimeout(timer);
      }
    },
    stats: () => ({ breaker: breaker.state(), calls: { ...calls } }),
  };
}
