// A request refused before GraphQL work starts (rate limit, unknown path): the same error body a
// client would get from the pipeline, with its code and request id, answered at once.
import type { FetchAPI } from 'graphql-yoga';
import type { AppError } from '../../errors/app-error';
import { toGraphQLError } from '../../errors/to-graphql-error';
import type { RequestHead } from '../../observability/request-head';
import { requestIdOf } from '../request-id';

/** What a refusal sends: status, headers (lower-case names) and the error body. */
export interface Refusal {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

export function refusalOf(request: RequestHead, error: AppError, isDev: boolean): Refusal {
  const gqlError = toGraphQLError(error, { isDev });
  const extensions = Object.fromEntries(Object.entries(gqlError.extensions).filter(([k]) => k !== 'http'));
  const body = { errors: [{ message: gqlError.message, extensions: { ...extensions, requestId: requestIdOf(request) } }] };
  const graphqlResponse = (request.headers.get('accept') ?? '').includes('application/graphql-response+json');
  return {
    status: error.httpStatus,
    // AppError's header names are lower-case, so this one cannot be sent twice.
    headers: { ...error.headers, 'content-type': `${graphqlResponse ? 'application/graphql-response+json' : 'application/json'}; charset=utf-8` },
    body: JSON.stringify(body),
  };
}

export function refusalResponse(request: Request, error: AppError, isDev: boolean, fetchAPI: FetchAPI): Response {
  const { status, headers, body } = refusalOf(request, error, isDev);
  return new fetchAPI.Response(body, { status, headers });
}
