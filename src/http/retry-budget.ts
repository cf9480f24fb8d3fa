// Per-provider retry budget: retries in the recent window may not exceed
// max(ratio × first attempts, floor), so a total outage adds at most ~10 % traffic
// while a quiet provider can still retry a few calls.
import type { Clock } from './clock';
import type { RetryOptions } from './options';
import { createSlidingWindow } from './sliding-window';

export interface RetryBudget {
  /** A first attempt was made (the base the ratio applies to). */
  recordRequest(): void;
  /** Takes one retry from the budget; false when exhausted. */
  tryRetry(): boolean;
}

export function createRetryBudget(options: RetryOptions, clock: Clock): RetryBudget {
  const recent = createSlidingWindow(['request', 'retry'], { windowMs: options.budgetWindowMs }, clock);
  const floor = options.budgetMinPerSecond * (options.budgetWindowMs / 1000);

  return {
    recordRequest() {
      recent.record('request');
    },
    tryRetry() {
      const { request, retry } = recent.counts();
      const allowed = Math.max(options.budgetRatio * request, floor);
      if (retry + 1 > allowed) return false;
      recent.record('retry');
      return true;
    },
  };
}
