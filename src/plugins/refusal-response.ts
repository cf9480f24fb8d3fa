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
  // Lower-case names: whatwg-node's Headers keeps a mixed-case key from a plain-object init beside
  // the lower-case one a later `set` adds, and sends both (`retry-after: 60, 60` on the wire).
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(error.headers ?? {})) headers[name.toLowerCase()] = value;
  headers['content-type'] = `${graphqlResponse ? 'application/graphql-response+json' : 'application/json'}; charset=utf-8`;
  return new fetchAPI.Response(JSON.stringify(body), { status: error.httpStatus, headers });
}
