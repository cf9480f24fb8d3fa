// The RateLimit-* response headers (IETF draft "RateLimit header fields for HTTP") for one or more
// budgets: they describe the budget closest to exhaustion, or the one that refused the request.
import type { BudgetState } from './rate-limit-store';

export interface NamedBudgetState extends BudgetState {
  readonly name: string;
  readonly windowSeconds: number;
}

const seconds = (ms: number) => Math.ceil(ms / 1000);

function binding(states: readonly NamedBudgetState[]): NamedBudgetState | undefined {
  const refused = states.find((s) => s.refused);
  if (refused) return refused;
  let best: NamedBudgetState | undefined;
  for (const state of states) {
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
