// useErrorContract: every error a client sees carries `extensions.code` (from errors/codes.ts) and
// `extensions.requestId`; when nothing resolved because providers failed, the HTTP status says so.
import type { GraphQLError } from 'graphql';
import { mapAsyncIterator, type Plugin } from 'graphql-yoga';
import { UPSTREAM_CODES, ERROR_CODES, httpStatusOf, isErrorCode, type ErrorCode } from '../errors/codes';
import { copyGraphQLError, toGraphQLError } from '../errors/to-graphql-error';
import { requestIdOf } from './request-id';

interface ResultLike {
  data?: Record<string, unknown> | null;
  errors?: readonly GraphQLError[];
  extensions?: Record<string, unknown>;
}

/** A part of an incremental answer (@defer/@stream): the first one is a ResultLike, later ones carry `incremental`. */
interface PartLike extends ResultLike {
  incremental?: readonly ResultLike[];
}

export interface ErrorContractOptions {
  /** Adds the original message of masked errors in development. */
  readonly isDev: boolean;
}

const withRequestId = (error: GraphQLError, requestId: string): GraphQLError => copyGraphQLError(error, { extensions: { ...error.extensions, requestId } });

// "504 if nothing resolved": every root field is null and every error is an upstream failure;
// 400 when every error is BAD_USER_INPUT instead (an id a provider's rule refuses before any call, a
// page size, a cursor: the request as a whole was bad, whichever field said so).
function statusWhenNothingResolved(result: ResultLike): number | undefined {
  const data = result.data;
  const errors = result.errors ?? [];
  // `data: null` is what graphql-js answers when a non-null root field failed: nothing resolved either.
  if (data === undefined || errors.length === 0 || (data !== null && Object.values(data).some((v) => v !== null))) return undefined;
  const codes = errors.map((e): ErrorCode | undefined => {
    const code = e.extensions['code'];
    return isErrorCode(code) ? code : undefined;
  });
  if (codes.every((c) => c === 'BAD_USER_INPUT')) return httpStatusOf('BAD_USER_INPUT', 'nothingResolved');
  if (!codes.every((c) => c !== undefined && UPSTREAM_CODES.has(c))) return undefined;
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

// A later part's errors (a deferred fragment's provider failed) get their codes too; the status was sent with the first part.
function fixPart(part: PartLike, requestId: string, isDev: boolean): PartLike {
  const fixed: PartLike = part.errors?.length ? { ...part, errors: part.errors.map((e) => withRequestId(toGraphQLError(e, { isDev }), requestId)) } : part;
  if (!part.incremental?.some((entry) => entry.errors?.length)) return fixed;
  return { ...fixed, incremental: part.incremental.map((entry) => (entry.errors?.length ? { ...entry, errors: entry.errors.map((e) => withRequestId(toGraphQLError(e, { isDev }), requestId)) } : entry)) };
}

export function useErrorContract(options: ErrorContractOptions): Plugin {
  return {
    onResultProcess({ request, result, setResult }) {
      const requestId = requestIdOf(request);
      if (Array.isArray(result)) {
        setResult(result.map((r: ResultLike) => fixResult(r, requestId, options.isDev)));
      } else if (Symbol.asyncIterator in result) {
        // mapAsyncIterator passes return() straight through: a client going away still stops the execution.
        setResult(mapAsyncIterator(result as AsyncIterable<PartLike>, (part) => fixPart(part, requestId, options.isDev)));
      } else {
        setResult(fixResult(result as ResultLike, requestId, options.isDev));
      }
    },
  };
}
