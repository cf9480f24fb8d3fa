// The inbound budgets of a caller (requests and cost per window, requests per short burst window)
// and what one request's spend means: its RateLimit-* headers and, when a budget is spent, the 429
// to answer. Shared by the rate limit plugin and the node lane for cached GETs
// (src/server/cached-get-lane.ts), so that a request is counted the same way whichever path serves it.
import type { Redis } from 'ioredis';
import type { RateLimitConfig } from '../../config';
import { AppError } from '../../errors/app-error';
import { rateLimitHeaders, refusingBudget, retryAfterSeconds, type NamedBudgetState } from './rate-limit-headers';
import { createBudget, type Budget, type BudgetState } from './rate-limit-store';

export interface InboundBudgetsOptions {
  readonly config: RateLimitConfig;
  /** Shares the budgets between instances; memory when absent. */
  readonly redis?: Redis | undefined;
  /** @default 'bff:' */
  readonly keyPrefix?: string | undefined;
}

/** One request's standing in its caller's budgets, filled as it spends. */
export interface RequestBudgets {
  readonly key: string;
  requests?: NamedBudgetState;
  burst?: NamedBudgetState;
  cost?: NamedBudgetState;
  /** A batch executes several operations; its cost (already summed) is spent once. */
  costSpent?: boolean;
}

export interface InboundBudgets {
  /** Spends 1 from the request and burst budgets of `key` and reads its cost budget (a spent cost budget refuses at once, before parsing). */
  admit(key: string): Promise<RequestBudgets>;
  /** Spends an operation's estimated cost, once per request. */
  spendCost(budgets: RequestBudgets, amount: number): Promise<void>;
  /** The 429 when a budget refused this request. */
  refusalOf(budgets: RequestBudgets): AppError | undefined;
  /** The RateLimit-* headers of the budget closest to exhaustion (lower-case names). */
  headersOf(budgets: RequestBudgets): Record<string, string>;
}

function statesOf(budgets: RequestBudgets): NamedBudgetState[] {
  return [budgets.requests, budgets.burst, budgets.cost].filter((s): s is NamedBudgetState => s !== undefined);
}

const MESSAGES: Readonly<Record<string, string>> = {
  burst: 'Too many requests in a short time; slow down.',
  cost: 'The query cost budget is spent for now.',
};

/** Undefined when all budgets are 0 (disabled). */
export function createInboundBudgets(options: InboundBudgetsOptions): InboundBudgets | undefined {
  const { windowSeconds, requestsPerWindow, costPerWindow, burstRequests, burstSeconds } = options.config;
  const common = { windowSeconds, redis: options.redis, keyPrefix: options.keyPrefix };
  const requests = requestsPerWindow > 0 ? createBudget({ ...common, name: 'requests', points: requestsPerWindow }) : undefined;
  const burst = burstRequests > 0 ? createBudget({ ...common, name: 'burst', points: burstRequests, windowSeconds: burstSeconds }) : undefined;
  const cost = costPerWindow > 0 ? createBudget({ ...common, name: 'cost', points: costPerWindow, refundRefused: true }) : undefined;
  if (!requests && !burst && !cost) return undefined;
  const named = (budget: Budget, state: BudgetState): NamedBudgetState => ({
    ...state,
    name: budget.name,
    windowSeconds: budget.windowSeconds,
    unit: budget === cost ? 'cost' : 'requests',
  });

  return {
    async admit(key) {
      const budgets: RequestBudgets = { key };
      // Both request budgets are spent in one round even when the other refuses, so every arrival
      // counts (as the request budget already counts its own refusals): a client that waits out
      // Retry-After loses only the few it sent early, a flood that ignores it drains its window too.
      const [spent, burstSpent, left] = await Promise.all([requests?.spend(key, 1), burst?.spend(key, 1), cost?.peek(key)]);
      if (requests && spent) budgets.requests = named(requests, spent);
      if (burst && burstSpent) budgets.burst = named(burst, burstSpent);
      if (cost && left) budgets.cost = named(cost, left.remaining > 0 ? left : { ...left, refused: true });
      return budgets;
    },
    async spendCost(budgets, amount) {
      if (!cost || budgets.costSpent) return;
      budgets.costSpent = true;
      if (amount <= 0) return;
      budgets.cost = named(cost, await cost.spend(budgets.key, amount));
    },
    refusalOf(budgets) {
      const states = statesOf(budgets);
      const refused = refusingBudget(states);
      if (refused === undefined) return undefined;
      return new AppError('RATE_LIMITED', MESSAGES[refused.name], {
        retryAfterSeconds: retryAfterSeconds(refused),
        headers: rateLimitHeaders(states),
        extensions: { budget: refused.name },
        meta: { identity: budgets.key },
      });
    },
    headersOf: (budgets) => rateLimitHeaders(statesOf(budgets)),
  };
}
