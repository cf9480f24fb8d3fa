// Calls a GraphQL provider: POSTs a fixed document (a query, so it is safe to retry) and returns
// `data`; upstream GraphQL errors become UPSTREAM_BAD_RESPONSE with their messages in log-only meta.
import { z } from 'zod';
import { upstreamError } from '../errors/app-error';
import type { CallContext, ProviderHttpClient, UpstreamResponse } from '../http/types';
import { parseWire } from './parse';

const envelope = z.object({
  data: z.unknown().optional(),
  errors: z.array(z.object({ message: z.string() }).loose()).optional(),
});

export interface GraphQLCall {
  readonly query: string;
  readonly variables: Record<string, unknown>;
  /** Route template for logs, e.g. `/graphql users`. */
  readonly route: string;
}

/** POSTs the document and returns the answer unchecked: callGraphQL's request, and the contract check's (src/providers/contract.ts). */
export function postGraphQL(http: ProviderHttpClient, call: GraphQLCall, ctx: CallContext): Promise<UpstreamResponse> {
  return http.request({ method: 'POST', path: '/graphql', route: call.route, body: { query: call.query, variables: call.variables }, idempotent: true }, ctx);
}

export async function callGraphQL(http: ProviderHttpClient, call: GraphQLCall, ctx: CallContext): Promise<unknown> {
  const response = await postGraphQL(http, call, ctx);
  const body = parseWire(envelope, response.body, http.provider, call.route);
  if (response.status !== 200 || body.errors?.length || body.data == null) {
    throw upstreamError('UPSTREAM_BAD_RESPONSE', http.provider, {
      meta: { route: call.route, status: response.status, errors: body.errors?.map((e) => e.message) },
    });
  }
  return body.data;
}
