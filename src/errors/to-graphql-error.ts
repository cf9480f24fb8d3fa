// The one place where any error becomes what a client sees: a GraphQLError with a code from the
// table, a stable message, and nothing from upstream hosts, statuses or stacks (those stay in logs).
import { GraphQLError, type GraphQLErrorExtensions } from 'graphql';
import { AppError } from './app-error';
import { ERROR_CODES, ErrorCode, isErrorCode } from './codes';

export interface ToGraphQLErrorOptions {
  /** In development the original message of a masked error is added as `extensions.originalMessage`. */
  readonly isDev: boolean;
}

export interface GraphQLErrorChanges {
  readonly message?: string;
  /** The copy's extensions, whole (spread the error's own to keep them). @default the error's */
  readonly extensions?: GraphQLErrorExtensions;
  /** Keeps the error's `originalError` unless false (the error contract unwraps to an original it finds). @default true */
  readonly keepOriginal?: boolean;
}

/**
 * The error with a changed message or extensions, at the same place (nodes, source, positions, path):
 * a GraphQLError is read-only once built, so every change to one is a copy made here.
 */
export function copyGraphQLError(error: GraphQLError, changes: GraphQLErrorChanges): GraphQLError {
  return new GraphQLError(changes.message ?? error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    originalError: changes.keepOriginal === false ? undefined : error.originalError,
    extensions: changes.extensions ?? error.extensions,
  });
}

// Errors graphql-js and yoga raise without a code of ours, recognised by their stable wording.
function inferCode(error: GraphQLError): ErrorCode {
  const existing = error.extensions['code'];
  if (isErrorCode(existing)) return existing;
  if (error.message.startsWith('Syntax Error')) return 'GRAPHQL_PARSE_FAILED';
  if (error.message.startsWith('Variable "$')) return 'BAD_USER_INPUT';
  if (error.nodes?.length && !error.path) return 'GRAPHQL_VALIDATION_FAILED';
  return 'BAD_REQUEST';
}

function fromAppError(app: AppError, source: GraphQLError | undefined): GraphQLError {
  const fieldLevel = source?.path !== undefined;
  const spec = ERROR_CODES[app.code];
  return new GraphQLError(app.message, {
    nodes: source?.nodes,
    source: source?.source,
    positions: source?.positions,
    path: source?.path,
    originalError: app,
    extensions: {
      ...app.extensions,
      code: app.code,
      ...(spec.retryable ? { retryable: true } : {}),
      ...(app.retryAfterSeconds !== undefined ? { retryAfterSeconds: app.retryAfterSeconds } : {}),
      // Only a request-level error decides the HTTP status; a field error leaves a 200 partial answer.
      ...(fieldLevel ? {} : { http: { status: app.httpStatus, headers: app.headers } }),
    },
  });
}

function masked(error: unknown, source: GraphQLError | undefined, options: ToGraphQLErrorOptions): GraphQLError {
  const originalMessage = error instanceof Error ? error.message : String(error);
  return new GraphQLError(ERROR_CODES.INTERNAL_SERVER_ERROR.defaultMessage, {
    nodes: source?.nodes,
    path: source?.path,
    originalError: error instanceof Error ? error : undefined,
    extensions: {
      code: ErrorCode.INTERNAL_SERVER_ERROR,
      ...(options.isDev ? { originalMessage } : {}),
      ...(source?.path ? {} : { http: { status: ERROR_CODES.INTERNAL_SERVER_ERROR.httpStatus } }),
    },
  });
}

// What a client may see of an error raised by yoga, graphql-js or a library plugin: its code and the
// HTTP status yoga reads (and strips). Anything else they attach, such as yoga's
// `originalError: { name, message }` on invalid JSON that echoes the body, stays out.
const CONTRACT_KEYS = new Set(['code', 'http']);

function hasOnlyContractExtensions(error: GraphQLError): boolean {
  return Object.keys(error.extensions).every((key) => CONTRACT_KEYS.has(key));
}

function contractExtensions(error: GraphQLError, code: ErrorCode): Record<string, unknown> {
  const http = error.extensions['http'];
  return http === undefined ? { code } : { code, http };
}

export function toGraphQLError(error: unknown, options: ToGraphQLErrorOptions): GraphQLError {
  if (error instanceof AppError) return fromAppError(error, undefined);
  if (error instanceof GraphQLError) {
    const original = error.originalError;
    // Already mapped (yoga's maskError ran first; the error contract maps results again): keep it.
    if (original instanceof AppError) return error.extensions['code'] === original.code ? error : fromAppError(original, error);
    // A GraphQLError wrapping a GraphQLError (thrown by a plugin) keeps its meaning.
    if (original instanceof GraphQLError) return toGraphQLError(original, options);
    if (original && !(original instanceof GraphQLError)) return masked(original, error, options);
    const code = inferCode(error);
    if (error.extensions['code'] === code && hasOnlyContractExtensions(error)) return error;
    // No original error here (those were handled above).
    return copyGraphQLError(error, { extensions: contractExtensions(error, code) });
  }
  return masked(error, undefined, options);
}
