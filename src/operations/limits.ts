// The operation limits, their defaults, and the pure checks the server and CI both run: document
// size (before parsing), tokens (inside the parser), and the document's shape (before validation).
import { GraphQLError, parse, type DocumentNode, type ParseOptions } from 'graphql';
import type { LimitsConfig } from '../config';
import { LIMIT_DEFAULTS } from '../config/env';
import type { ErrorCode } from '../errors/codes';
import type { LimitName } from '../observability/channels';
import type { DocumentShape } from './analyze';

/** The limits checked per operation (their JSDoc and defaults live on `LimitsConfig`). */
export type OperationLimits = Pick<LimitsConfig, 'maxDepth' | 'maxAliases' | 'maxRootFields' | 'maxDirectives' | 'maxTokens' | 'maxDocumentBytes' | 'maxCost'>;

/** The defaults the server runs with when no LIMIT_* variable is set (one table, in config/env.ts). */
export const DEFAULT_OPERATION_LIMITS: OperationLimits = Object.freeze({
  maxDepth: LIMIT_DEFAULTS.maxDepth,
  maxAliases: LIMIT_DEFAULTS.maxAliases,
  maxRootFields: LIMIT_DEFAULTS.maxRootFields,
  maxDirectives: LIMIT_DEFAULTS.maxDirectives,
  maxTokens: LIMIT_DEFAULTS.maxTokens,
  maxDocumentBytes: LIMIT_DEFAULTS.maxDocumentBytes,
  maxCost: LIMIT_DEFAULTS.maxCost,
});

/** Which limit (the name lives with the limit channel's payload, in observability/channels.ts). */
export type { LimitName };

export interface LimitViolation {
  readonly limit: LimitName;
  readonly code: ErrorCode;
  /** The measured value (null when it could not be measured, e.g. a cost estimate that gave up). */
  readonly actual: number | null;
  readonly max: number;
}

const SHAPE_LIMITS = [
  { limit: 'depth', measure: 'depth', max: 'maxDepth', code: 'MAX_DEPTH_LIMIT' },
  { limit: 'aliases', measure: 'aliases', max: 'maxAliases', code: 'MAX_ALIASES_LIMIT' },
  { limit: 'rootFields', measure: 'rootFields', max: 'maxRootFields', code: 'MAX_ROOT_FIELDS_LIMIT' },
  { limit: 'directives', measure: 'directives', max: 'maxDirectives', code: 'MAX_DIRECTIVES_LIMIT' },
] as const satisfies readonly { limit: LimitName; measure: keyof DocumentShape; max: keyof OperationLimits; code: ErrorCode }[];

/** Every shape limit the document exceeds, in a fixed order (depth, aliases, root fields, directives). */
export function shapeViolations(shape: DocumentShape, limits: OperationLimits): LimitViolation[] {
  return SHAPE_LIMITS.filter((l) => shape[l.measure] > limits[l.max]).map((l) => ({ limit: l.limit, code: l.code, actual: shape[l.measure], max: limits[l.max] }));
}

/** The document is larger than `maxBytes` (UTF-8), without encoding it when the answer is obvious. */
export function documentTooLarge(text: string, maxBytes: number): boolean {
  if (text.length > maxBytes) return true; // every UTF-16 unit is at least one byte
  if (text.length * 3 <= maxBytes) return false; // every unit is at most three bytes
  return Buffer.byteLength(text, 'utf8') > maxBytes;
}

export function documentSizeViolation(text: string, limits: OperationLimits): LimitViolation | undefined {
  if (!documentTooLarge(text, limits.maxDocumentBytes)) return undefined;
  return { limit: 'documentBytes', code: 'BAD_REQUEST', actual: Buffer.byteLength(text, 'utf8'), max: limits.maxDocumentBytes };
}

/** graphql-js's own error when `maxTokens` stops the parser (graphql 16 words it "more that"). */
export function isTokenLimitError(error: unknown): error is GraphQLError {
  return error instanceof GraphQLError && /Document contains more tha[nt] \d+ tokens/.test(error.message);
}

/** Parses with the token limit; a document over it throws the parser's GraphQLError (see isTokenLimitError). */
export function parseWithTokenLimit(source: string, maxTokens: number, options: ParseOptions = {}): DocumentNode {
  return parse(source, { ...options, maxTokens });
}
