// useErrorContract: every error a client sees carries `extensions.code` (from errors/codes.ts) and
// `extensions.requestId`; when nothing resolved because providers failed, the HTTP status says so.
import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { UPSTREAM_CODES, ERROR_CODES, isErrorCode } from '../errors/codes';
import { toGraphQLError } from '../errors/to-graphql-error';
import { requestIdOf } from './request-id';

interface ResultLike {
  data?: Record<string, unknown> | null;
  errors?: readonly GraphQLError[];
  extensions?: Record<string, unknown>;
}

export interface ErrorContractOptions {
  /** Adds the original message of masked errors in development. */
  readonly isDev: boolean;
}

function withRequestId(error: GraphQLError, requestId: string): GraphQLError {
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    originalError: error.originalError,
    extensions: { ...error.extensions, requestId },
  });
}

// Every root field failed on refused input (an id a provider's rule refuses before any call, a page
// size, a cursor): the request as a whole was bad, whichever field said so.
const REFUSED_INPUT_STATUS = 400;

// "504 if nothing resolved": every root field is null and every error is an upstream failure;
// 400 when every error is BAD_USER_INPUT instead.
function statusWhenNothingResolved(result: ResultLike): number | undefined {
  const data = result.data;
  const errors = result.errors ?? [];
  // `data: null` is what graphql-js answers when a non-null root field failed: nothing resolved either.
  if (data === undefined || errors.length === 0 || (data !== null && Object.values(data).some((v) => v !== null))) return undefined;
  const codes = errors.map((e) => e.extensions['code']);
  if (codes.every((c) => c === 'BAD_USER_INPUT')) return REFUSED_INPUT_STATUS;
  if (!codes.every((c) => isErrorCode(c) && UPSTREAM_CODES.has(c))) return undefined;
  return codes.includes('UPSTREAM_TIMEOUT') && codes.every((c) => c === 'UPSTREAM_TIMEOUT')
    ? ERROR_CODES.UPSTREAM_TIMEOUT.httpStatus
    : ERROR_CODES.UPSTREAM_UNAVAILABLE.httpStatus;
}

function fixResult(result: ResultLike, requestId: string, isDev: boolean): ResultLike {
  if (!result.errors?.length) return result;
  const errors = result.errors.map((e) => withRequestId(toGraphQLError(e, { isDev }), requestId));
  const fixed: ResultLike = { ...result, errors };
  const status = statusWhenNothingResolved(fixed);
  if (status) fixed.extensions = { ...result.extensions, http: { status } };
  return fixed;
}

export function useErrorContract(options: ErrorContractOptions): Plugin {
  return {
    onResultProcess({ request, result, setResult }) {
      const requestId = requestIdOf(request);
      if (Array.isArray(result)) {
        setResult(result.map((r: ResultLike) => fixResult(r, requestId, options.isDev)));
      } else if (!(Symbol.asyncIterator in result)) {
        setResult(fixResult(result as ResultLike, requestId, options.isDev));
      }
    },
  };
}
