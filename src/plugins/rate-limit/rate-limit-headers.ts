// The RateLimit-* response headers (IETF draft "RateLimit header fields for HTTP") for one or more
// budgets: they describe the budget closest to exhaustion, or the one that refused the request.
import type { BudgetState } from './rate-limit-store';

export interface NamedBudgetState extends BudgetState {
  readonly name: string;
  readonly windowSeconds: number;
  /** What the budget counts: budgets of one unit (requests and burst) compare by what they have left. */
  readonly unit: 'requests' | 'cost';
}

const seconds = (ms: number) => Math.ceil(ms / 1000);

/** The refusing budget that frees last (the client has to wait for all of them), if any refused. */
export function refusingBudget(states: readonly NamedBudgetState[]): NamedBudgetState | undefined {
  let longest: NamedBudgetState | undefined;
  for (const state of states) {
    if (state.refused && (!longest || state.resetMs > longest.resetMs)) longest = state;
  }
  return longest;
}

function binding(states: readonly NamedBudgetState[]): NamedBudgetState | undefined {
  const refused = refusingBudget(states);
  if (refused) return refused;
  // Of two request budgets the one with fewer requests left refuses first whatever their sizes;
  // across units (requests against cost) only the fraction left compares.
  const tightest = new Map<NamedBudgetState['unit'], NamedBudgetState>();
  for (const state of states) {
    const held = tightest.get(state.unit);
    if (!held || state.remaining < held.remaining) tightest.set(state.unit, state);
  }
  let best: NamedBudgetState | undefined;
  for (const state of tightest.values()) {
    if (!best || state.remaining / state.limit < best.remaining / best.limit) best = state;
  }
  return best;
}

/** Header values by lower-case name; empty when no budget applies. `retry-after` only when a budget refused. */
export function rateLimitHeaders(states: readonly NamedBudgetState[]): Record<string, string> {
  const state = binding(states);
  if (!state) return {};
  const headers: Record<string, string> = {
    'ratelimit-limit': String(state.limit),
    'ratelimit-remaining': String(state.remaining),
    'ratelimit-reset': String(seconds(state.resetMs)),
    'ratelimit-policy': states.map((s) => `${s.limit};w=${s.windowSeconds};comment="${s.name}"`).join(', '),
  };
  if (state.refused) headers['retry-after'] = String(retryAfterSeconds(state));
  return headers;
}

/** Seconds until the refusing budget allows again (at least 1). */
export function retryAfterSeconds(state: BudgetState): number {
  return Math.max(1, seconds(state.resetMs));
}
