// POST /api/admin/invalidate: an operator drops cached answers by hand, behind its own bearer token
// (CACHE_ADMIN_TOKEN; unset, the route answers 404). One target per call:
//   { "type": "Product" }                   every answer holding a Product
//   { "type": "Product", "id": "prod-1" }   every answer holding that product
//   { "operation": "ProductDetail" }        every answer of that operation
// The purge hook then gets the matching CDN tags (`Product`, `Product:prod-1` with `Product:*`, `op:ProductDetail`).
import type { FetchAPI } from 'graphql-yoga';
import { z } from 'zod';
import { secretEquals } from '../../config/secret-equal';
import { AppError } from '../../errors/app-error';
import type { Logger } from '../../observability/logger';
import { requestIdOf } from '../request-id';
import { isOperationName } from './cache-tags';
import type { Invalidator } from './invalidator';
import { readBoundedBody } from './read-bounded-body';
import { okReply, refusedReply } from './replies';

export const ADMIN_INVALIDATE_PATH = '/api/admin/invalidate';

/** Seconds an operator is told to wait (Retry-After) when the store failed the invalidation. */
const ADMIN_RETRY_SECONDS = 5;

/** An admin call's body is one small object. */
const MAX_ADMIN_BODY_BYTES = 4_096;

// A schema type name (not a `__` one: those are ours, callers and operations).
const typeName = z.string().regex(/^[A-Za-z][_0-9A-Za-z]{0,127}$/);
const targetSchema = z.union([
  z.strictObject({ type: typeName, id: z.string().min(1).max(128).optional() }),
  z.strictObject({ operation: z.string().refine(isOperationName) }),
]);

export interface AdminInvalidateOptions {
  readonly token: string | undefined;
  readonly invalidator: Invalidator;
  readonly logger: Logger | undefined;
  readonly isDev: boolean;
}

export type AdminInvalidateHandler = (request: Request, fetchAPI: FetchAPI) => Promise<Response>;

export function createAdminInvalidateHandler(options: AdminInvalidateOptions): AdminInvalidateHandler {
  const { token, invalidator, logger, isDev } = options;
  return async (request, fetchAPI) => {
    if (token === undefined) return refusedReply(request, new AppError('BAD_REQUEST', 'Not found.', { status: 'notFound' }), isDev, fetchAPI);
    if (request.method !== 'POST') return refusedReply(request, new AppError('BAD_REQUEST', 'Only POST is allowed.', { status: 'methodNotAllowed' }), isDev, fetchAPI, { allow: 'POST' });
    const requestId = requestIdOf(request);
    const authorization = request.headers.get('authorization') ?? '';
    const presented = authorization.length <= 1_024 && authorization.startsWith('Bearer ') ? authorization.slice('Bearer '.length) : undefined;
    if (presented === undefined || !secretEquals(presented, token)) {
      logger?.warn({ requestId, reason: presented === undefined ? 'missing_token' : 'wrong_token' }, 'cache admin call refused');
      return refusedReply(request, new AppError('UNAUTHENTICATED', 'A valid admin token is required.'), isDev, fetchAPI, { 'www-authenticate': 'Bearer' });
    }
    const body = await readBoundedBody(request, MAX_ADMIN_BODY_BYTES);
    if (body === undefined) return refusedReply(request, new AppError('BAD_REQUEST', 'The body is too large.', { status: 'payloadTooLarge', extensions: { limit: { max: MAX_ADMIN_BODY_BYTES } } }), isDev, fetchAPI);
    let parsed: unknown;
    try {
      parsed = JSON.parse(Buffer.from(body).toString('utf8'));
    } catch {
      parsed = undefined;
    }
    const target = targetSchema.safeParse(parsed);
    if (!target.success) {
      return refusedReply(request, new AppError('BAD_REQUEST', 'Expected { "type": "<Type>", "id"?: "<id>" } or { "operation": "<OperationName>" }.'), isDev, fetchAPI);
    }
    const what = target.data;
    try {
      const done = 'operation' in what ? await invalidator.invalidate({ entities: [], operations: [what.operation] }, 'admin', requestId) : await invalidator.invalidate({ entities: [{ typename: what.type, id: what.id }] }, 'admin', requestId);
      return okReply(request, 200, { status: 'invalidated', tags: done.tags }, fetchAPI);
    } catch (error) {
      // The store (Redis) failed: nothing may have been dropped, so say so and have the operator retry.
      logger?.error({ requestId, reason: 'invalidation_failed', err: error }, 'cache admin invalidation failed');
      return refusedReply(request, new AppError('OVERLOADED', 'The cache could not be invalidated now; retry it.', { retryAfterSeconds: ADMIN_RETRY_SECONDS, headers: { 'retry-after': String(ADMIN_RETRY_SECONDS) } }), isDev, fetchAPI);
    }
  };
}
