// The JSON answers of the webhook and admin endpoints: a small status body on success, and on refusal
// the gateway's error body (code, request id) from the same refusal builder as the pipeline's.
import type { FetchAPI } from 'graphql-yoga';
import type { AppError } from '../../errors/app-error';
import { refusalResponse } from '../edge/refusal-response';
import { requestIdOf } from '../request-id';

export function okReply(request: Request, status: number, body: Record<string, unknown>, fetchAPI: FetchAPI): Response {
  const headers = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' };
  return new fetchAPI.Response(JSON.stringify({ ...body, requestId: requestIdOf(request) }), { status, headers });
}

export function refusedReply(request: Request, error: AppError, isDev: boolean, fetchAPI: FetchAPI, extraHeaders: Record<string, string> = {}): Response {
  const response = refusalResponse(request, error, isDev, fetchAPI);
  response.headers.set('cache-control', 'no-store');
  for (const [name, value] of Object.entries(extraHeaders)) response.headers.set(name, value);
  return response;
}
