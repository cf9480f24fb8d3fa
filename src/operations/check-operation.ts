// One operation judged against the limits exactly as the server judges it (size → tokens → shape →
// cost), for CI (`ops:check`) and tests; the plugins call the same functions one phase at a time.
import type { DocumentNode, GraphQLSchema } from 'graphql';
import { analyzeDocument, type DocumentShape } from './analyze';
import { CostEstimateAbandoned, estimateCost, type CostDefaults } from './cost';
import { documentSizeViolation, isTokenLimitError, parseWithTokenLimit, shapeViolations, type LimitViolation, type OperationLimits } from './limits';

/** The cost limit as a violation (`actual` null when the estimate gave up). */
export function costViolation(cost: number | null, maxCost: number): LimitViolation | undefined {
  if (cost !== null && cost <= maxCost) return undefined;
  return { limit: 'cost', code: 'COST_ESTIMATED_TOO_EXPENSIVE', actual: cost, max: maxCost };
}

export interface OperationCheck {
  /** Undefined when the document was refused before parsing or did not parse. */
  readonly shape: DocumentShape | undefined;
  /** Null when not estimated (refused earlier, variables invalid) or the estimate gave up. */
  readonly cost: number | null;
  readonly violations: readonly LimitViolation[];
}

export interface CheckOptions {
  readonly operationName?: string | null;
  readonly variables?: Readonly<Record<string, unknown>> | null;
  readonly costDefaults?: Partial<CostDefaults>;
}

/** Shape and cost of a parsed document against the limits. */
export function checkDocument(schema: GraphQLSchema, document: DocumentNode, limits: OperationLimits, options: CheckOptions = {}): OperationCheck {
  const shape = analyzeDocument(document);
  const violations = shapeViolations(shape, limits);
  let cost: number | null = null;
  try {
    cost = estimateCost(schema, document, { operationName: options.operationName, variables: options.variables, defaults: options.costDefaults });
  } catch (error) {
    if (!(error instanceof CostEstimateAbandoned)) return { shape, cost: null, violations }; // variables invalid: not a limit matter
  }
  const over = costViolation(cost, limits.maxCost);
  return { shape, cost, violations: over ? [...violations, over] : violations };
}

/** A document's text, from its size to its cost; a parse error other than the token limit is rethrown. */
export function checkOperationText(schema: GraphQLSchema, text: string, limits: OperationLimits, options: CheckOptions = {}): OperationCheck {
  const tooLarge = documentSizeViolation(text, limits);
  if (tooLarge) return { shape: undefined, cost: null, violations: [tooLarge] };
  let document: DocumentNode;
  try {
    document = parseWithTokenLimit(text, limits.maxTokens);
  } catch (error) {
    if (isTokenLimitError(error)) return { shape: undefined, cost: null, violations: [{ limit: 'tokens', code: 'MAX_TOKENS_LIMIT', actual: null, max: limits.maxTokens }] };
    throw error;
  }
  return checkDocument(schema, document, limits, options);
}
