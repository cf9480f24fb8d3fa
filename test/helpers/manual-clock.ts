// A Clock whose time only moves when told to: for tests of waits (backoff, Retry-After,
// throttle, token expiry) without real sleeps. A test double, so it lives with the test helpers:
// production code depends only on the Clock interface and systemClock in src/http/clock.ts.
import type { Clock } from '../../src/http/clock';

interface Sleeper {
  readonly at: number;
  readonly resolve: () => void;
}

export interface ManualClock extends Clock {
  /** Moves time forward, waking every sleeper whose time has come, in order. */
  advance(ms: number): void;
  /** Number of sleeps currently pending. */
  pending(): number;
  /** Total milliseconds slept by all completed sleeps. */
  readonly slept: number;
}

export interface ManualClockOptions {
  /** Start time in ms since the epoch. @default 1_700_000_000_000 */
  start?: number;
  /**
   * When true, time jumps to the earliest pending sleep as soon as the event loop is idle
   * (one macrotask after a sleep starts): waits finish at once yet in the right order.
   * @default false
   */
  autoAdvance?: boolean;
}

export function createManualClock(options: ManualClockOptions = {}): ManualClock {
  let time = options.start ?? 1_700_000_000_000;
  let slept = 0;
  let scheduled = false;
  const sleepers = new Set<Sleeper>();

  const wake = (): void => {
    const due = [...sleepers].filter((s) => s.at <= time).sort((a, b) => a.at - b.at);
    for (const s of due) {
      sleepers.delete(s);
      s.resolve();
    }
  };

  // setImmediate lets in-flight I/O callbacks and other sleepers register first.
  const scheduleJump = (): void => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      let earliest = Number.POSITIVE_INFINITY;
      for (const s of sleepers) earliest = Math.min(earliest, s.at);
      if (earliest === Number.POSITIVE_INFINITY) return;
      time = Math.max(time, earliest);
      wake();
      if (sleepers.size > 0) scheduleJump();
    });
  };

  return {
    now: () => time,
    get slept() {
      return slept;
    },
    pending: () => sleepers.size,
    advance(ms) {
      time += ms;
      wake();
    },
    sleep(ms, signal) {
      if (signal?.aborted === true) return Promise.reject(signal.reason);
      const wait = Math.max(0, ms);
      return new Promise<void>((resolve, reject) => {
        const onAbort = (): void => {
          sleepers.delete(sleeper);
          reject(signal?.reason);
        };
        const sleeper: Sleeper = {
          at: time + wait,
          resolve: () => {
            signal?.removeEventListener('abort', onAbort);
            slept += wait;
            resolve();
          },
        };
        sleepers.add(sleeper);
        signal?.addEventListener('abort', onAbort, { once: true });
        if (wait === 0) wake();
        else if (options.autoAdvance === true) scheduleJump();
      });
    },
  };
}
