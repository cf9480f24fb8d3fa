// The inbound budgets of a caller (requests and cost per window, requests per short burst window)
// and what one request's spend means: its RateLimit-* headers and, when a budget is spent, the 429
// to answer. Shared by the rate limit plugin and the node lane for cached GETs
// (src/server/cached-get-lane.ts), so that a request is counted the same way whichever path serves it.
import type { Cluster, Redis } from 'ioredis';
import { createBudgetLeases, type LeasedBudgetSpec, type RedisCallGuard } from './budget-lease';
import type { RateLimitConfig } from '../../config';
import { AppError } from '../../errors/app-error';
import { rateLimitHeaders, refusingBudget, retryAfterSeconds, type NamedBudgetState } from './rate-limit-headers';
import { createBudget, type Budget, type BudgetState } from './rate-limit-store';

export interface InboundBudgetsOptions {
  readonly config: RateLimitConfig;
  /** Shares the budgets between instances; memory when absent. */
  readonly redis?: Redis | Cluster | undefined;
  /** Timeout and breaker around each Redis call (src/server/redis-guard.ts). @default none */
  readonly guard?: RedisCallGuard | undefined;
  /** @default 'bff:' */
  readonly keyPrefix?: string | undefined;
}

/** The budgets of a caller, spent together: in memory, or through Redis in one call at most (budget-lease.ts). */
interface BudgetSet {
  spend(key: string, needs: Readonly<Record<string, number>>): Promise<Record<string, BudgetState>>;
  peek(key: string, name: string): Promise<BudgetState>;
}

function memorySet(budgets: readonly Budget[]): BudgetSet {
  const byName = new Map(budgets.map((b) => [b.name, b]));
  return {
    async spend(key, needs) {
      const spent = await Promise.all(Object.entries(needs).map(async ([name, amount]) => [name, await byName.get(name)?.spend(key, amount)] as const));
      return Object.fromEntries(spent.filter((e): e is readonly [string, BudgetState] => e[1] !== undefined));
    },
    async peek(key, name) {
      const budget = byName.get(name);
      if (budget === undefined) throw new Error(`unknown budget ${name}`);
      return budget.peek(key);
    },
  };
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
  const common = { windowSeconds, keyPrefix: options.keyPrefix };
  const requests = requestsPerWindow > 0 ? createBudget({ ...common, name: 'requests', points: requestsPerWindow }) : undefined;
  const burst = burstRequests > 0 ? createBudget({ ...common, name: 'burst', points: burstRequests, windowSeconds: burstSeconds }) : undefined;
  const cost = costPerWindow > 0 ? createBudget({ ...common, name: 'cost', points: costPerWindow, refundRefused: true }) : undefined;
  if (!requests && !burst && !cost) return undefined;
  const all = [requests, burst, cost].filter((b): b is Budget => b !== undefined);
  const specs: LeasedBudgetSpec[] = all.map((b) => ({ name: b.name, points: b.limit, windowSeconds: b.windowSeconds, byCost: b === cost }));
  const set: BudgetSet = options.redis
    ? createBudgetLeases({ budgets: specs, redis: options.redis, guard: options.guard, keyPrefix: `${options.keyPrefix ?? 'bff:'}rl:`, leaseFraction: options.config.leaseFraction })
    : memorySet(all);
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
      const needs: Record<string, number> = {};
      if (requests) needs['requests'] = 1;
      if (burst) needs['burst'] = 1;
      // Shared, the spend may top up the cost lease in the same Redis call: peek after it.
      const spent = await set.spend(key, needs);
      const left = cost ? await set.peek(key, 'cost') : undefined;
      if (requests && spent['requests']) budgets.requests = named(requests, spent['requests']);
      if (burst && spent['burst']) budgets.burst = named(burst, spent['burst']);
      if (cost && left) budgets.cost = named(cost, left.remaining > 0 ? left : { ...left, refused: true });
      return budgets;
    },
    async spendCost(budgets, amount) {
      if (!cost || budgets.costSpent) return;
      budgets.costSpent = true;
      if (amount <= 0) return;
      const spent = (await set.spend(budgets.key, { cost: amount }))['cost'];
      if (spent) budgets.cost = named(cost, spent);
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
