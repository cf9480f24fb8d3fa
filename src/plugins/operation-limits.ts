// useOperationLimits: refuses hostile documents before the expensive work, cheapest check first:
// document size before parsing, tokens inside the parser, then depth/aliases/root fields/directives
// before validation (computed once per parsed document). In `measure` mode the shape and token
// limits only report; the size limit always holds (it protects the parser itself).
import type { DocumentNode } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { AppError } from '../errors/app-error';
import { analyzeDocument, type DocumentShape } from '../operations/analyze';
import { limitChannel, type LimitEvent } from '../observability/channels';
import { documentSizeViolation, isTokenLimitError, shapeViolations, type LimitViolation, type OperationLimits } from '../operations/limits';
import { requestIdOf } from './request-id';

export type LimitsMode = 'enforce' | 'measure';

export interface OperationLimitsOptions {
  readonly limits: OperationLimits;
  /** `measure` reports limits (onLimit, `bff:operations:limit`) without refusing. @default 'enforce' */
  readonly mode?: LimitsMode;
  /** Every exceeded limit, refused or not. */
  readonly onLimit?: (event: LimitEvent) => void;
  /** Called on each cache miss, i.e. once per distinct parsed document (tests and metrics count it). */
  readonly onAnalyze?: (document: DocumentNode, shape: DocumentShape) => void;
  /** In measure mode the parser still stops at this many times `maxTokens`. @default 10 */
  readonly measureTokenCeilingFactor?: number;
}

export function publishLimit(event: LimitEvent, onLimit: ((event: LimitEvent) => void) | undefined): void {
  onLimit?.(event);
  if (limitChannel.hasSubscribers) limitChannel.publish(event);
}

/** The client-visible error of a refused limit. */
export function limitError(violation: LimitViolation): AppError {
  if (violation.limit === 'documentBytes') {
    return new AppError('BAD_REQUEST', 'The document is too large.', { status: 'payloadTooLarge', extensions: { limit: { max: violation.max } } });
  }
  return new AppError(violation.code, undefined, { extensions: { limit: { max: violation.max, ...(violation.actual === null ? {} : { actual: violation.actual }) } } });
}

function operationNameOf(params: { operationName?: unknown } | undefined): string | undefined {
  return typeof params?.operationName === 'string' ? params.operationName : undefined;
}

export function useOperationLimits(options: OperationLimitsOptions): Plugin {
  const { limits } = options;
  const enforce = (options.mode ?? 'enforce') === 'enforce';
  const shapes = new WeakMap<DocumentNode, DocumentShape>();
  const report = (request: Request, violation: LimitViolation, enforced: boolean, operationName: string | undefined) =>
    publishLimit({ requestId: requestIdOf(request), limit: violation.limit, actual: violation.actual, max: violation.max, enforced, operationName }, options.onLimit);

  return {
    onParams({ params, request }) {
      if (typeof params.query !== 'string') return;
      const tooLarge = documentSizeViolation(params.query, limits);
      if (!tooLarge) return;
      report(request, tooLarge, true, operationNameOf(params));
      throw limitError(tooLarge);
    },

    onParse({ parseFn, setParseFn, context }) {
      const request = context.request;
      const operationName = operationNameOf(context.params);
      const ceiling = limits.maxTokens * (options.measureTokenCeilingFactor ?? 10);
      const overLimit = (max: number, enforced: boolean) => {
        const violation: LimitViolation = { limit: 'tokens', code: 'MAX_TOKENS_LIMIT', actual: null, max };
        if (request) report(request, violation, enforced, operationName);
        return violation;
      };
      // The parser counts tokens as it goes, so a huge document stops at the limit, not after reading it all.
      setParseFn((source, parseOptions) => {
        try {
          return parseFn(source, { ...parseOptions, maxTokens: limits.maxTokens });
        } catch (error) {
          if (!isTokenLimitError(error)) throw error;
          if (enforce) throw limitError(overLimit(limits.maxTokens, true));
          overLimit(limits.maxTokens, false);
        }
        try {
          return parseFn(source, { ...parseOptions, maxTokens: ceiling });
        } catch (error) {
          if (isTokenLimitError(error)) throw limitError(overLimit(ceiling, true));
          throw error;
        }
      });
    },

    onValidate({ params: { documentAST }, context }) {
      let shape = shapes.get(documentAST);
      if (!shape) {
        shape = analyzeDocument(documentAST);
        shapes.set(documentAST, shape);
        options.onAnalyze?.(documentAST, shape);
      }
      const violations = shapeViolations(shape, limits);
      if (violations.length === 0) return;
      const operationName = operationNameOf(context.params);
      for (const v of violations) if (context.request) report(context.request, v, enforce, operationName);
      const [first] = violations;
      if (enforce && first) throw limitError(first);
    },
  };
}
