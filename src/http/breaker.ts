// Circuit breaker per provider: opens when failures reach a ratio of the calls in a sliding
// window (with a minimum volume), fails fast while open, lets one probe through when half-open.
// Hand-rolled rather than cockatiel's: cockatiel reads Date.now() and real timers, so its
// half-open timing cannot follow the injected clock, and its SamplingBreaker's floor is in rps.
import type { BreakerState } from '../observability/channels';
import type { Clock } from './clock';
import type { BreakerOptions } from './options';

export type { BreakerState };

/** Permission to make one attempt; hand it back to `record`. */
export interface BreakerPermit {
  readonly probe: boolean;
}

export type AttemptHealth = 'success' | 'failure' | 'ignored';

export interface Breaker {
  state(): BreakerState;
  /** While open: ms until a probe will be allowed; 0 otherwise. */
  reopenInMs(): number;
  /** A permit, or undefined when the call must fail fast. */
  admit(): BreakerPermit | undefined;
  record(permit: BreakerPermit, health: AttemptHealth): void;
}

const SLOTS = 10;
const PERMIT: BreakerPermit = { probe: false };
const PROBE: BreakerPermit = { probe: true };

export function createBreaker(
  options: BreakerOptions,
  clock: Clock,
  onChange: (from: BreakerState, to: BreakerState) => void,
): Breaker {
  const slotMs = Math.max(1, options.windowMs / SLOTS);
  const successes = new Array<number>(SLOTS).fill(0);
  const failures = new Array<number>(SLOTS).fill(0);
  let currentSlot = Math.floor(clock.now() / slotMs);
  let state: BreakerState = 'closed';
  let openedAt = 0;
  let probeOut = false;

  const rotate = (): number => {
    const slot = Math.floor(clock.now() / slotMs);
    const gap = Math.min(SLOTS, slot - currentSlot);
    for (let i = 1; i <= gap; i++) {
      const index = (currentSlot + i) % SLOTS;
      successes[index] = 0;
      failures[index] = 0;
    }
    if (slot > currentSlot) currentSlot = slot;
    return currentSlot % SLOTS;
  };
  const clear = (): void => {
    successes.fill(0);
    failures.fill(0);
  };
  const move = (to: BreakerState): void => {
    if (to === state) return;
    const from = state;
    state = to;
    if (to === 'open') openedAt = clock.now();
    if (to === 'closed') clear();
    onChange(from, to);
  };
  const current = (): BreakerState => {
    if (state === 'open' && clock.now() - openedAt >= options.halfOpenAfterMs) move('half-open');
    return state;
  };

  return {
    state: current,
    reopenInMs: () => (current() === 'open' ? Math.max(0, openedAt + options.halfOpenAfterMs - clock.now()) : 0),
    admit() {
      const now = current();
      if (now === 'closed') return PERMIT;
      if (now === 'half-open' && !probeOut) {
        probeOut = true;
        return PROBE;
      }
      return undefined;
    },
    record(permit, health) {
      if (permit.probe) {
        probeOut = false;
        if (health === 'success') move('closed');
        else if (health === 'failure') move('open');
        return;
      }
      // Late answers of calls admitted before the circuit opened do not move it again.
      if (state !== 'closed' || health === 'ignored') return;
      const index = rotate();
      if (health === 'success') successes[index] = (successes[index] ?? 0) + 1;
      else failures[index] = (failures[index] ?? 0) + 1;
      const failed = failures.reduce((a, b) => a + b, 0);
      const total = failed + successes.reduce((a, b) => a + b, 0);
      if (total >= options.minimumRequests && failed / total >= options.failureRatio) move('open');
    },
  };
}
