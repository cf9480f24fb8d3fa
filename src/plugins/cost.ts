// useCost: the static cost of each operation (IBM cost directives, src/operations/cost.ts) before
// validation and execution; over the limit → COST_ESTIMATED_TOO_EXPENSIVE with `{ estimated, max }`.
// The cost is sent in `x-operation-cost` and kept per request (`costOf`) for the rate limiter's
// budget. Estimates are cached per parsed document and the values of the variables they depend on,
// so a persisted operation (one AST for the life of the process) is estimated once per variant.
import type { DocumentNode, GraphQLSchema } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { AppError } from '../errors/app-error';
import { costViolation } from '../operations/check-operation';
import { CostEstimateAbandoned, costVariableNames, estimateCost, type CostDefaults } from '../operations/cost';
import { publishLimit, type LimitsMode } from './operation-limits';
import type { LimitEvent } from '../observability/channels';
import { requestIdOf } from './request-id';
import { stateOf } from './request-state';

export const COST_HEADER = 'x-operation-cost';

export interface CostOptions {
  /** Largest cost an operation may have. @default 5000 (config `LIMIT_COST`) */
  readonly maxCost: number;
  /** `measure` reports over-limit operations without refusing them. @default 'enforce' */
  readonly mode?: LimitsMode;
  readonly defaults?: Partial<CostDefaults>;
  readonly onLimit?: (event: LimitEvent) => void;
  /** Called on each cache miss (an actual estimate). */
  readonly onEstimate?: (document: DocumentNode, cost: number | null) => void;
  /** Variants (variable values) cached per document before the oldest is dropped. @default 64 */
  readonly maxVariantsPerDocument?: number;
}

/**
 * The estimated cost of a request (the sum over a batch), known once its operations were validated:
 * read it from onExecute/onContextBuilding onwards. Undefined when nothing was estimated.
 */
export function costOf(request: Request): number | undefined {
  return stateOf(request).cost;
}

interface DocumentCosts {
  readonly variables: readonly string[];
  readonly byVariant: Map<string, number | null>;
}

export function useCost(options: CostOptions): Plugin {
  const enforce = (options.mode ?? 'enforce') === 'enforce';
  const maxVariants = options.maxVariantsPerDocument ?? 64;
  const cache = new WeakMap<GraphQLSchema, WeakMap<DocumentNode, DocumentCosts>>();

  function estimate(schema: GraphQLSchema, document: DocumentNode, operationName: string | undefined, variables: Record<string, unknown>): number | null | undefined {
    let bySchema = cache.get(schema);
    if (!bySchema) cache.set(schema, (bySchema = new WeakMap()));
    let entry = bySchema.get(document);
    if (!entry) bySchema.set(document, (entry = { variables: costVariableNames(schema, document), byVariant: new Map() }));
    // Absent and null differ (a default applies only to an absent variable).
    const key = JSON.stringify([operationName ?? null, entry.variables.map((n) => (Object.hasOwn(variables, n) ? [variables[n]] : []))]);
    if (entry.byVariant.has(key)) return entry.byVariant.get(key);
    let cost: number | null;
    try {
      cost = estimateCost(schema, document, { operationName, variables, defaults: options.defaults });
    } catch (error) {
      if (!(error instanceof CostEstimateAbandoned)) return undefined; // variables that do not coerce: execution says BAD_USER_INPUT
      cost = null;
    }
    if (entry.byVariant.size >= maxVariants) {
      const [oldest] = entry.byVariant.keys();
      if (oldest !== undefined) entry.byVariant.delete(oldest);
    }
    entry.byVariant.set(key, cost);
    options.onEstimate?.(document, cost);
    return cost;
  }

  return {
    onValidate({ params: { schema, documentAST }, context }) {
      const request = context.request;
      const operationName = typeof context.params?.operationName === 'string' ? context.params.operationName : undefined;
      const variables = context.params?.variables && typeof context.params.variables === 'object' ? (context.params.variables as Record<string, unknown>) : {};
      const cost = estimate(schema, documentAST, operationName, variables);
      if (cost === undefined) return;
      if (request && cost !== null) {
        const state = stateOf(request);
        state.cost = (state.cost ?? 0) + cost;
      }
      const over = costViolation(cost, options.maxCost);
      if (!over) return;
      if (request) publishLimit({ requestId: requestIdOf(request), limit: 'cost', actual: cost, max: options.maxCost, enforced: enforce || cost === null, operationName }, options.onLimit);
      // An estimate that gave up is refused even when measuring: its size is unknown.
      if (enforce || cost === null) {
        throw new AppError('COST_ESTIMATED_TOO_EXPENSIVE', undefined, { extensions: { cost: { estimated: cost, max: options.maxCost } } });
      }
    },

    onResponse({ request, response }) {
      const cost = stateOf(request).cost;
      if (cost !== undefined) response.headers.set(COST_HEADER, String(cost));
    },
  };
}
