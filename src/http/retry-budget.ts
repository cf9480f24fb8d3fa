// Per-provider retry budget: retries in the recent window may not exceed
// max(ratio × first attempts, floor), so a total outage adds at most ~10 % traffic
// while a quiet provider can still retry a few calls.
import type { Clock } from './clock';
import type { RetryOptions } from './options';

export interface RetryBudget {
  /** A first attempt was made (the base the ratio applies to). */
  recordRequest(): void;
  /** Takes one retry from the budget; false when exhausted. */
  tryRetry(): boolean;
}

const SLOTS = 10;

export function createRetryBudget(options: RetryOptions, clock: Clock): RetryBudget {
  const slotMs = Math.max(1, options.budgetWindowMs / SLOTS);
  const requests = new Array<number>(SLOTS).fill(0);
  const retries = new Array<number>(SLOTS).fill(0);
  let currentSlot = Math.floor(clock.now() / slotMs);
  const floor = options.budgetMinPerSecond * (options.budgetWindowMs / 1000);

  // Clears slots that fell out of the window since the last call.
  const rotate = (): number => {
    const slot = Math.floor(clock.now() / slotMs);
    const gap = Math.min(SLOTS, slot - currentSlot);
    for (let i = 1; i <= gap; i++) {
      const index = (currentSlot + i) % SLOTS;
      requests[index] = 0;
      retries[index] = 0;
    }
    if (slot > currentSlot) currentSlot = slot;
    return currentSlot % SLOTS;
  };
  const sum = (values: number[]): number => values.reduce((a, b) => a + b, 0);

  return {
    recordRequest() {
      const index = rotate();
      requests[index] = (requests[index] ?? 0) + 1;
    },
    tryRetry() {
      const index = rotate();
      const allowed = Math.max(options.budgetRatio * sum(requests), floor);
      if (sum(retries) + 1 > allowed) return false;
      retries[index] = (retries[index] ?? 0) + 1;
      return true;
    },
  };
}
