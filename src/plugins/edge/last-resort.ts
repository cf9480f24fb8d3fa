// The last line of defence: an exception that escapes a plugin's request or response hook, or the
// request handler, would reach @whatwg-node/server, which answers a text/plain 500 carrying the
// error's stack (and with it library paths and messages). Every such hook is guarded instead: the
// error is logged once with its stack, and the client gets the contract's JSON 500.
import type { FetchAPI, Plugin } from 'graphql-yoga';
import { ERROR_CODES, ErrorCode } from '../../errors/codes';
import { requestIdOf } from '../request-id';

/** Called once per escaped exception, with the request it broke. */
export type EscapedErrorHandler = (error: unknown, request: Request) => void;

/** The JSON 500 of the error contract: a code, the request id, nothing of the error itself. */
function internalErrorResponse(request: Request, fetchAPI: FetchAPI): Response {
  const requestId = requestIdOf(request);
  const body = { errors: [{ message: ERROR_CODES.INTERNAL_SERVER_ERROR.defaultMessage, extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR, requestId } }] };
  return new fetchAPI.Response(JSON.stringify(body), {
    status: ERROR_CODES.INTERNAL_SERVER_ERROR.httpStatus,
    headers: { 'content-type': 'application/json; charset=utf-8', 'x-request-id': requestId },
  });
}

const isThenable = (value: unknown): value is PromiseLike<unknown> =>
  (typeof value === 'object' || typeof value === 'function') && value !== null && typeof (value as { then?: unknown }).then === 'function';

// Runs a hook; a throw or a rejection goes to `fail` (synchronous hooks stay synchronous).
function guarded<A>(hook: (payload: A) => unknown, fail: (error: unknown, payload: A) => void): (payload: A) => unknown {
  return (payload) => {
    try {
      const out = hook(payload);
      return isThenable(out) ? out.then(undefined, (error: unknown) => fail(error, payload)) : out;
    } catch (error) {
      fail(error, payload);
      return undefined;
    }
  };
}

type RequestPayload = Parameters<NonNullable<Plugin['onRequest']>>[0];
type ResponsePayload = Parameters<NonNullable<Plugin['onResponse']>>[0];

/** The plugin with its `onRequest` and `onResponse` hooks guarded; other hooks run inside yoga's own error handling. */
export function guardPlugin<P extends object>(plugin: P, onError: EscapedErrorHandler): P {
  const hooks = plugin as Pick<Plugin, 'onRequest' | 'onResponse'>;
  if (hooks.onRequest === undefined && hooks.onResponse === undefined) return plugin;
  const out: Pick<Plugin, 'onRequest' | 'onResponse'> = {};
  if (hooks.onRequest !== undefined) {
    out.onRequest = guarded(hooks.onRequest.bind(plugin) as (payload: RequestPayload) => unknown, (error, payload: RequestPayload) => {
      onError(error, payload.request);
      payload.endResponse(internalErrorResponse(payload.request, payload.fetchAPI));
    }) as Plugin['onRequest'];
  }
  if (hooks.onResponse !== undefined) {
    out.onResponse = guarded(hooks.onResponse.bind(plugin) as (payload: ResponsePayload) => unknown, (error, payload: ResponsePayload) => {
      onError(error, payload.request);
      payload.setResponse(internalErrorResponse(payload.request, payload.fetchAPI));
    }) as Plugin['onResponse'];
  }
  return { ...plugin, ...out };
}

/**
 * Last in the plugin list: its `onRequest` runs after every other one and wraps the request handler
 * they settled on (yoga's, or one a plugin set), so that a rejection of the handler is answered too.
 */
export function useGuardedHandler(onError: EscapedErrorHandler): Plugin {
  return {
    onRequest({ requestHandler, setRequestHandler, fetchAPI }) {
      setRequestHandler((request, serverContext) => {
        try {
          const out = requestHandler(request, serverContext);
          return isThenable(out)
            ? Promise.resolve(out).catch((error: unknown) => {
                onError(error, request);
                return internalErrorResponse(request, fetchAPI);
              })
            : out;
        } catch (error) {
          onError(error, request);
          return internalErrorResponse(request, fetchAPI);
        }
      });
    },
  };
}
