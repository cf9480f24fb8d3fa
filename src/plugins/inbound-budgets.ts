// The two inbound budgets of a caller (requests and cost per window) and what one request's spend
// means: its RateLimit-* headers and, when a budget is spent, the 429 to answer. Shared by the rate
// limit plugin and the node lane for cached GETs (src/server/cached-get-lane.ts), so that a request
// is counted the same way whichever path serves it.
import type { Redis } from 'ioredis';
import type { RateLimitConfig } from '../config';
import { AppError } from '../errors/app-error';
import { rateLimitHeaders, retryAfterSeconds, type NamedBudgetState } from './rate-limit-headers';
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
  cost?: NamedBudgetState;
  /** A batch executes several operations; its cost (already summed) is spent once. */
  costSpent?: boolean;
}

export interface InboundBudgets {
  /** Spends 1 from the request budget of `key` and reads its cost budget (a spent cost budget refuses at once, before parsing). */
  admit(key: string): Promise<RequestBudgets>;
  /** Spends an operation's estimated cost, once per request. */
  spendCost(budgets: RequestBudgets, amount: number): Promise<void>;
  /** The 429 when a budget refused this request. */
  refusalOf(budgets: RequestBudgets): AppError | undefined;
  /** The RateLimit-* headers of the budget closest to exhaustion (lower-case names). */
  headersOf(budgets: RequestBudgets): Record<string, string>;
}

function statesOf(budgets: RequestBudgets): NamedBudgetState[] {
  return [budgets.requests, budgets.cost].filter((s): s is NamedBudgetState => s !== undefined);
}

/** Undefined when both budgets are 0 (disabled). */
export function createInboundBudgets(options: InboundBudgetsOptions): InboundBudgets | undefined {
  const { windowSeconds, requestsPerWindow, costPerWindow } = options.config;
  const common = { windowSeconds, redis: options.redis, keyPrefix: options.keyPrefix };
  const requests = requestsPerWindow > 0 ? createBudget({ ...common, name: 'requests', points: requestsPerWindow }) : undefined;
  const cost = costPerWindow > 0 ? createBudget({ ...common, name: 'cost', points: costPerWindow, refundRefused: true }) : undefined;
  if (!requests && !cost) return undefined;
  const named = (budget: Budget, state: BudgetState): NamedBudgetState => ({ ...state, name: budget.name, windowSeconds });

  return {
    async admit(key) {
      const budgets: RequestBudgets = { key };
      const [spent, left] = await Promise.all([requests?.spend(key, 1), cost?.peek(key)]);
      if (requests && spent) budgets.requests = named(requests, spent);
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
      const refused = [budgets.requests, budgets.cost].find((s) => s?.refused);
      if (refused === undefined) return undefined;
      return new AppError('RATE_LIMITED', refused.name === 'cost' ? 'The query cost budget is spent for now.' : undefined, {
        retryAfterSeconds: retryAfterSeconds(refused),
        headers: rateLimitHeaders(statesOf(budgets)),
        extensions: { budget: refused.name },
        meta: { identity: budgets.key },
      });
    },
    headersOf: (budgets) => rateLimitHeaders(statesOf(budgets)),
  };
}
