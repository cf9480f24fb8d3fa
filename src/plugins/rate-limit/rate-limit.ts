// useRateLimit: inbound budgets per caller identity, GitHub/Shopify style. Every GraphQL request
// spends 1 from the request and burst budgets as soon as it arrives (before parsing, so floods stay cheap);
// an operation that is about to execute spends its estimated cost from the cost budget. Over any
// → 429 RATE_LIMITED with Retry-After; RateLimit-* headers on every answer but a public one (which
// response-cache.ts strips, as a shared cache would replay them to others). The budgets themselves
// are in inbound-budgets.ts (the node lane for cached GETs spends them too).
import type { Plugin } from 'graphql-yoga';
import type { RequestHead } from '../../observability/request-head';
import { refusalResponse } from '../edge/refusal-response';
import { stateOf } from '../request-state';
import type { InboundBudgets } from './inbound-budgets';

export interface RateLimitOptions {
  /** The caller budgets (inbound-budgets.ts); undefined when all are disabled. */
  readonly budgets: InboundBudgets | undefined;
  /** The GraphQL endpoint path; other paths (health, metrics) are not counted. */
  readonly endpoint: string;
  /** The identity key of a request (`user:<sub>` or `ip:<address>`), see caller-identity.ts. */
  readonly identify: (request: RequestHead, serverContext: unknown) => Promise<string>;
  /** Estimated cost of the request's operation, known once it is validated. @default () => 1 */
  readonly costOf?: (request: Request) => number | undefined;
  readonly isDev: boolean;
}

/** False when all budgets are disabled. */
export function useRateLimit(options: RateLimitOptions): Plugin | false {
  const { budgets: inbound } = options;
  if (inbound === undefined) return false;

  return {
    async onRequest({ request, url, serverContext, endResponse, fetchAPI }) {
      if (url.pathname !== options.endpoint || request.method === 'OPTIONS') return;
      const budgets = await inbound.admit(await options.identify(request, serverContext));
      stateOf(request).budgets = budgets;
      const refusal = inbound.refusalOf(budgets);
      if (refusal) endResponse(refusalResponse(request, refusal, options.isDev, fetchAPI));
    },
    async onExecute({ args }) {
      const request = args.contextValue.request;
      const budgets = stateOf(request).budgets;
      if (!budgets || budgets.costSpent) return;
      await inbound.spendCost(budgets, options.costOf?.(request) ?? 1);
      const refusal = inbound.refusalOf(budgets);
      if (refusal) throw refusal;
    },
    onResponse({ request, response }) {
      const budgets = stateOf(request).budgets;
      if (!budgets) return;
      for (const [name, value] of Object.entries(inbound.headersOf(budgets))) response.headers.set(name, value);
    },
  };
}
