// CSRF prevention for GET. A cross-site page can make a browser send a GET (a link, an <img>) with
// the credentials the browser attaches by itself, and the only one of those that can reach us is a
// Cookie: the gateway's credentials are bearer tokens, which a page must set itself, and a page of
// another origin can only do that after a CORS preflight we answer. So only a GET that carries a
// Cookie must prove it was not sent cross-site: a header that forces a preflight, or a JSON content
// type. A GET without ambient credentials (urql's or graphql-request's default GET, a plain fetch of
// `?documentId=…`) works unmodified. POSTs are covered by http-hardening (JSON only).
//
// The check runs once the operation is known (after the allowlist resolved a `documentId`), so that
// a mutation over GET gets its 405 (`Allow: POST`) whatever the CSRF verdict would have been, and
// before the response cache, so that a refused request is never answered from the cache either.
import { getOperationAST, parse, type DocumentNode } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { AppError } from '../../errors/app-error';
import type { RequestHead } from '../../observability/request-head';
import { mediaType } from './http-hardening';

/** Any of these (non-empty) proves a GET was preflighted: a browser cannot send it cross-site without one. */
export const DEFAULT_PREFLIGHT_HEADERS: readonly string[] = Object.freeze(['apollo-require-preflight', 'x-apollo-operation-name', 'graphql-require-preflight']);

// The content types a browser may send cross-site without a preflight (CORS "simple requests").
const SIMPLE_TYPES = ['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain'];

function isPreflighted(request: RequestHead, headers: readonly string[]): boolean {
  const type = mediaType(request);
  if (type && !SIMPLE_TYPES.includes(type)) return true;
  return headers.some((h) => Boolean(request.headers.get(h)?.trim()));
}

/** True for a GET the CSRF rule refuses: it carries a Cookie and nothing that proves a preflight. */
export function refusedAsCsrf(request: RequestHead, headers: readonly string[] = DEFAULT_PREFLIGHT_HEADERS): boolean {
  return request.method === 'GET' && request.headers.has('cookie') && !isPreflighted(request, headers);
}

export interface CsrfPreventionOptions {
  /** @default DEFAULT_PREFLIGHT_HEADERS */
  readonly preflightHeaders?: readonly string[];
  /** Lexical tokens read to tell a refused GET's mutation (405) from its query (400); LIMIT_TOKENS. */
  readonly maxTokens: number;
}

/** The error yoga gives a mutation over GET (use-prevent-mutation-via-get), which comes first. */
function mutationViaGetError(): AppError {
  return new AppError('BAD_REQUEST', 'Can only perform a mutation operation from a POST request.', { status: 'methodNotAllowed', headers: { Allow: 'POST' } });
}

function isMutation(query: unknown, operationName: unknown, maxTokens: number): boolean {
  if (typeof query !== 'string' || query === '') return false;
  let document: DocumentNode;
  try {
    document = parse(query, { noLocation: true, maxTokens });
  } catch {
    return false;
  }
  return getOperationAST(document, typeof operationName === 'string' ? operationName : undefined)?.operation === 'mutation';
}

/** Place after the allowlist (which turns a `documentId` into its document) and before the response cache. */
export function useCsrfPrevention(options: CsrfPreventionOptions): Plugin {
  const headers = options.preflightHeaders ?? DEFAULT_PREFLIGHT_HEADERS;
  return {
    onParams({ request, params }) {
      if (!refusedAsCsrf(request, headers)) return;
      // Refused either way; only parsed here, on the refusal path, to say which refusal.
      if (isMutation(params.query, params.operationName, options.maxTokens)) throw mutationViaGetError();
      throw new AppError('BAD_REQUEST', `A GET request that carries a Cookie must also carry one of these headers: ${headers.join(', ')} (CSRF prevention).`);
    },
  };
}
