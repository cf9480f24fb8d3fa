// A request refused before GraphQL work starts (rate limit, unknown path): the same error body a
// client would get from the pipeline, with its code and request id, answered at once.
import type { FetchAPI } from 'graphql-yoga';
import type { AppError } from '../errors/app-error';
import { toGraphQLError } from '../errors/to-graphql-error';
import { requestIdOf } from './request-id';

export function refusalResponse(request: Request, error: AppError, isDev: boolean, fetchAPI: FetchAPI): Response {
  const gqlError = toGraphQLError(error, { isDev });
  const extensions = Object.fromEntries(Object.entries(gqlError.extensions).filter(([k]) => k !== 'http'));
  const body = { errors: [{ message: gqlError.message, extensions: { ...extensions, requestId: requestIdOf(request) } }] };
  const graphqlResponse = (request.headers.get('accept') ?? '').includes('application/graphql-response+json');
  return new fetchAPI.Response(JSON.stringify(body), {
    status: error.httpStatus,
    // AppError's header names are lower-case, so this one cannot be sent twice.
    headers: { ...error.headers, 'content-type': `${graphqlResponse ? 'application/graphql-response+json' : 'application/json'}; charset=utf-8` },
  });
}
