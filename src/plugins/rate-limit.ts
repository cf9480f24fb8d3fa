// useRateLimit: inbound budgets per caller identity, GitHub/Shopify style. Every GraphQL request
// spends 1 from the request budget as soon as it arrives (before parsing, so floods stay cheap);
// an operation that is about to execute spends its estimated cost from the cost budget. Over either
// → 429 RATE_LIMITED with Retry-After; RateLimit-* headers on every answer.
import type { Plugin } from 'graphql-yoga';
import type { Redis } from 'ioredis';
import type { RateLimitConfig } from '../config';
import { AppError } from '../errors/app-error';
import { rateLimitHeaders, retryAfterSeconds, type NamedBudgetState } from './rate-limit-headers';
import { createBudget, type Budget, type BudgetState } from './rate-limit-store';
import { refusalResponse } from './refusal-response';

export interface RateLimitOptions {
  readonly config: RateLimitConfig;
  /** The GraphQL endpoint path; other paths (health, metrics) are not counted. */
  readonly endpoint: string;
  /** The identity key of a request (`user:<sub>` or `ip:<address>`), see caller-identity.ts. */
  readonly identify: (request: Request, serverContext: unknown) => Promise<string>;
  /** Estimated cost of the request's operation, known once it is validated. @default () => 1 */
  readonly costOf?: (request: Request) => number | undefined;
  /** Shares the budgets between instances; memory when absent. */
  readonly redis?: Redis | undefined;
  /** @default 'bff:' */
  readonly keyPrefix?: string;
  readonly isDev: boolean;
}

interface RequestBudgets {
  readonly key: string;
  requests?: NamedBudgetState;
  cost?: NamedBudgetState;
  /** A batch executes several operations; its cost (already summed) is spent once. */
  costSpent?: boolean;
}

function named(budget: Budget, windowSeconds: number, state: BudgetState): NamedBudgetState {
  return { ...state, name: budget.name, windowSeconds };
}

function statesOf(budgets: RequestBudgets): NamedBudgetState[] {
  return [budgets.requests, budgets.cost].filter((s): s is NamedBudgetState => s !== undefined);
}

function rateLimited(budgets: RequestBudgets, refused: NamedBudgetState): AppError {
  return new AppError('RATE_LIMITED', refused.name === 'cost' ? 'The query cost budget is spent for now.' : undefined, {
    retryAfterSeconds: retryAfterSeconds(refused),
    headers: rateLimitHeaders(statesOf(budgets)),
    extensions: { budget: refused.name },
    meta: { identity: budgets.key },
  });
}

// The same body the error contract gives a request-level error; built here because a refusal
// in onRequest ends the request before the GraphQL pipeline (and its result processing) runs.

/** False when both budgets are 0 (disabled). */
export function useRateLimit(options: RateLimitOptions): Plugin | false {
  const { windowSeconds, requestsPerWindow, costPerWindow } = options.config;
  const common = { windowSeconds, redis: options.redis, keyPrefix: options.keyPrefix };
  const requests = requestsPerWindow > 0 ? createBudget({ ...common, name: 'requests', points: requestsPerWindow }) : undefined;
  const cost = costPerWindow > 0 ? createBudget({ ...common, name: 'cost', points: costPerWindow, refundRefused: true }) : undefined;
  if (!requests && !cost) return false;
  const byRequest = new WeakMap<Request, RequestBudgets>();

  return {
    async onRequest({ request, url, serverContext, endResponse, fetchAPI }) {
      if (url.pathname !== options.endpoint || request.method === 'OPTIONS') return;
      const budgets: RequestBudgets = { key: await options.identify(request, serverContext) };
      byRequest.set(request, budgets);
      const [spent, left] = await Promise.all([requests?.spend(budgets.key, 1), cost?.peek(budgets.key)]);
      if (requests && spent) budgets.requests = named(requests, windowSeconds, spent);
      // A spent cost budget refuses at once, before the operation is even parsed.
      if (cost && left) budgets.cost = named(cost, windowSeconds, left.remaining > 0 ? left : { ...left, refused: true });
      const refused = [budgets.requests, budgets.cost].find((s) => s?.refused);
      if (refused) endResponse(refusalResponse(request, rateLimited(budgets, refused), options.isDev, fetchAPI));
    },
    async onExecute({ args }) {
      const request = args.contextValue.request;
      const budgets = byRequest.get(request);
      if (!cost || !budgets || budgets.costSpent) return;
      budgets.costSpent = true;
      const amount = options.costOf?.(request) ?? 1;
      if (amount <= 0) return;
      budgets.cost = named(cost, windowSeconds, await cost.spend(budgets.key, amount));
      if (budgets.cost.refused) throw rateLimited(budgets, budgets.cost);
    },
    onResponse({ request, response }) {
      const budgets = byRequest.get(request);
      if (!budgets) return;
      for (const [name, value] of Object.entries(rateLimitHeaders(statesOf(budgets)))) response.headers.set(name, value);
    },
  };
}
