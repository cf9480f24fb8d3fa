// Time as an injected dependency: every wait in src/http goes through a Clock, so tests
// drive waits with a manual clock (test/helpers/manual-clock.ts) instead of sleeping for real.
import { setTimeout as delay } from 'node:timers/promises';

export interface Clock {
  /** Milliseconds since the epoch (the unit of `CallContext.deadlineAt`). */
  now(): number;
  /** Resolves after `ms`; rejects with `signal.reason` as soon as `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: async (ms, signal) => {
    await delay(Math.max(0, ms), undefined, signal === undefined ? undefined : { signal });
  },
};
