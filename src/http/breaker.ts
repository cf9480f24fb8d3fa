// Circuit breaker per provider: opens when failures reach a ratio of the calls in a sliding
// window (with a minimum volume), fails fast while open, lets one probe through when half-open.
// Hand-rolled rather than cockatiel's: cockatiel reads Date.now() and real timers, so its
// half-open timing cannot follow the injected clock, and its SamplingBreaker's floor is in rps.
import type { BreakerState } from '../observability/channels';
import type { Clock } from './clock';
import type { BreakerOptions } from './options';
import { createSlidingWindow } from './sliding-window';

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

const PERMIT: BreakerPermit = { probe: false };
const PROBE: BreakerPermit = { probe: true };

export function createBreaker(
  options: BreakerOptions,
  clock: Clock,
  onChange: (from: BreakerState, to: BreakerState) => void,
): Breaker {
  const outcomes = createSlidingWindow(['success', 'failure'], { windowMs: options.windowMs }, clock);
  let state: BreakerState = 'closed';
  let openedAt = 0;
  let probeOut = false;

  const move = (to: BreakerState): void => {
    if (to === state) return;
    const from = state;
    state = to;
    if (to === 'open') openedAt = clock.now();
    if (to === 'closed') outcomes.reset();
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
      outcomes.record(health);
      const { success, failure } = outcomes.counts();
      const total = failure + success;
      if (total >= options.minimumRequests && failure / total >= options.failureRatio) move('open');
    },
  };
}
