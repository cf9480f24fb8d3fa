// useResponseCache: whole-response caching with @graphql-yoga/plugin-response-cache (envelop's
// cache plus yoga's early lookup, which skips parse/validate/execute on a hit, and ETag/304).
// TTL and scope come from the schema's @cacheControl (read natively by the plugin); PUBLIC
// documents share one entry across callers, PRIVATE ones are per caller (JWT subject) and never
// stored for anonymous callers; results with errors are never stored; a mutation drops the
// entities it returns and every private entry of its caller. Keys hold the operation's declared
// variables, coerced (response-cache-variables.ts), so undeclared ones cannot multiply entries.
//
// ETags are ours, not the plugin's: it sends the cache key as ETag and answers 304 to any request
// whose If-None-Match names a cached key, without checking that it is this request's key, and the
// key stays the same when the data behind it changes. Ours is a hash of the data served, checked
// against the request's own answer, so a 304 always means "what you hold is what you would get".
// Cache-Control and Vary of GET answers: http-cache-headers.ts (public for anonymous GETs of PUBLIC
// persisted operations, so that a CDN or browser cache can serve them).
import { getOperationAST } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { useResponseCache as useYogaResponseCache } from '@graphql-yoga/plugin-response-cache';
import type { ResponseCacheConfig } from '../../config';
import { callerOrNull, type RequestCaller } from '../rate-limit/caller-identity';
import type { CacheScope } from './cache-scope';
import { ANSWER_VARY, cacheControlOf, etagOf, isCallerBudgetHeader, matchesIfNoneMatch, NO_STORE_CACHE_CONTROL, publicMaxAgeOf } from './http-cache-headers';
import { persistedIdOf } from '../persisted-operations/persisted-id';
import { lookedUpBefore, sentHttpHeaders, type EarlyHit, type EarlyHitLookup } from './response-cache-early-hit';
import { buildCacheKey, sessionOf, UNCACHEABLE_KEY } from './response-cache-key';
import { cacheClock, type GatewayCache } from './response-cache-store';
import type { KeyVariables } from './response-cache-variables';
import { mergeVary } from '../edge/vary';
import { stateOf } from '../request-state';

export type CacheStatus = 'hit' | 'miss' | 'uncacheable' | 'not-modified';

/** What the response cache did for a request (for logs and metrics); undefined when it did not see it. */
export function responseCacheStatusOf(request: Request): CacheStatus | undefined {
  return stateOf(request).cacheStatus;
}

/** The early hit that answered a request (its operation, for the request's log line); undefined otherwise. */
export function earlyHitOf(request: Request): Pick<EarlyHit, 'persistedId' | 'operationName'> | undefined {
  return stateOf(request).earlyHit;
}

export interface ResponseCacheOptions {
  readonly config: ResponseCacheConfig;
  /** The GraphQL endpoint path (early hits answer GETs to it only). */
  readonly endpoint: string;
  /** PUBLIC or PRIVATE per document, from the schema's @cacheControl (cache-scope.ts). */
  readonly scope: CacheScope;
  /** Looks up a GET of a persisted operation in onRequest (response-cache-early-hit.ts). @default none (hits are found in onParams) */
  readonly earlyHit?: EarlyHitLookup | undefined;
  readonly cache: GatewayCache;
  /** The declared, coerced variables a key is built from (shared with the early hit, so both build the same key). */
  readonly keyVariables: KeyVariables;
  /** The verified caller of a request (memoised per request). */
  readonly callerOf: RequestCaller;
  /** Adds `x-response-cache: hit|miss|uncacheable|not-modified` to responses. @default false */
  readonly statusHeader?: boolean;
  /** TTL of a response that meets no @cacheControl maxAge. @default 0 (not cached) */
  readonly defaultMaxAgeSeconds?: number;
  /** Told every key built, with its document and operation name (the admin API drops entries by operation: provider-events/cache-tags.ts). @default none */
  readonly onCacheKey?: ((key: string, document: string, operationName: string | undefined) => void) | undefined;
}


// The media types of an incremental answer: no ETag (its parts are not one representation), no-store.
const STREAMED_TYPES = new Set(['multipart/mixed', 'text/event-stream']);

// Representation metadata a 304 must not carry (RFC 9110 §15.4.5).
const BODY_HEADERS = new Set(['content-type', 'content-length', 'content-encoding']);

function statusFromMetadata(metadata: unknown): CacheStatus {
  if (typeof metadata !== 'object' || metadata === null) return 'uncacheable';
  if ('hit' in metadata && metadata.hit === true) return 'hit';
  return 'didCache' in metadata && metadata.didCache === true ? 'miss' : 'uncacheable';
}

/** False when the cache is disabled. */
export function useResponseCache(options: ResponseCacheOptions): Plugin | false {
  if (!options.config.enabled) return false;
  const { cache, callerOf } = options;
  const { scope, earlyHit } = options;
  const staleWhileRevalidate = options.config.staleWhileRevalidateSeconds;

  // envelop takes the cache per request when given a function (its `cache: (context) => Cache`; yoga's
  // own lookup uses the same object's methods): each request's write then carries when its key was
  // built, so that an invalidation since refuses it (response-cache-store.ts).
  const writesOf = (context: { readonly request?: Request }) => ({
    get: (id: string) => cache.get(id),
    invalidate: (entities: Parameters<GatewayCache['invalidate']>[0]) => cache.invalidate(entities),
    set: (...[id, data, entities, ttl]: Parameters<GatewayCache['set']>) => cache.set(id, data, entities, ttl, context.request === undefined ? undefined : stateOf(context.request).cacheStartedAt),
  });
  // Its onRequest hook is the key-based 304 described above: left out.
  const { onRequest: _keyBased304, ...inner } = useYogaResponseCache({
    cache: Object.assign(writesOf, writesOf({})),
    ttl: (options.defaultMaxAgeSeconds ?? 0) * 1000,
    // Throws on a bad token, so that a hit cannot skip the 401 the context would give.
    session: async (request) => sessionOf(await callerOf(request)),
    buildResponseCacheKey: ({ documentString, variableValues, operationName, sessionId, request }) => {
      const variables = options.keyVariables(documentString, operationName ?? undefined, variableValues);
      if (variables === undefined) return UNCACHEABLE_KEY;
      const state = stateOf(request);
      // Before any provider is read for this request (the first key of a batch: the earliest), so that an invalidation after it refuses its writes.
      state.cacheStartedAt ??= cacheClock();
      // The persisted id as sent: persisted-operations swaps a `documentId` for its body before
      // onParams, and the key must name it as the early hit (which reads the URL) does.
      const persistedId = state.sentPersistedId;
      const isPrivate = scope.isPrivate(documentString || undefined);
      const publicMaxAge = publicMaxAgeOf({ request, persisted: persistedId !== undefined, isPrivate, maxAge: scope.maxAgeOf(documentString || undefined) });
      if (publicMaxAge !== undefined) state.publicMaxAge = publicMaxAge;
      const key = buildCacheKey({ document: documentString, persistedId, operationName: operationName ?? undefined, variables, sessionId: sessionId ?? null, isPrivate });
      options.onCacheKey?.(key, documentString, operationName ?? undefined);
      return key;
    },
    // Read (and removed) in onExecutionResult below: our status source, never sent to clients.
    includeExtensionMetadata: true,
  });

  return {
    onPluginInit({ addPlugin }) {
      addPlugin(inner);
    },
    // After the request id, telemetry and the inbound budgets (earlier plugins) have seen the request.
    async onRequest({ request, url, serverContext, endResponse, fetchAPI }) {
      if (earlyHit === undefined || request.method !== 'GET' || url.pathname !== options.endpoint || lookedUpBefore(serverContext)) return;
      const hit = await earlyHit(request);
      if (hit === undefined) return;
      const state = stateOf(request);
      state.earlyHit = hit;
      state.cacheStatus = 'hit';
      state.answered = true;
      state.answeredData = hit.data;
      if (hit.publicMaxAge !== undefined) state.publicMaxAge = hit.publicMaxAge;
      // onResponse below adds the ETag (or turns this into a 304), like for any other hit.
      const headers = new fetchAPI.Headers(hit.headers);
      headers.set('content-type', `${hit.mediaType}; charset=utf-8`);
      endResponse(new fetchAPI.Response(hit.bytes, { status: 200, headers }));
    },
    onRequestParse({ request }) {
      return {
        onRequestParseDone({ requestParserResult }) {
          const id = Array.isArray(requestParserResult) ? undefined : persistedIdOf(requestParserResult);
          if (id !== undefined) stateOf(request).sentPersistedId = id;
        },
      };
    },
    onExecute({ args }) {
      if (getOperationAST(args.document, args.operationName ?? undefined)?.operation !== 'mutation') return;
      const request = args.contextValue.request;
      return {
        // Whatever the outcome (a write may have happened before a failure), the caller's
        // private answers (its orders, its profile) may be stale now.
        async onExecuteDone() {
          const caller = await callerOrNull(callerOf, request);
          if (caller) await cache.invalidateCaller(caller.id);
        },
      };
    },
    onExecutionResult({ request, result, setResult }) {
      if (!result) return;
      // An incremental answer (@defer/@stream) was not a hit; envelop's cache stores the merged parts
      // once the last one is out, only when complete and without errors (never a partial entry).
      if (Symbol.asyncIterator in result) {
        stateOf(request).cacheStatus = 'miss';
        return;
      }
      const { responseCache, http, ...extensions } = result.extensions ?? {};
      const state = stateOf(request);
      const status = statusFromMetadata(responseCache);
      state.cacheStatus = status;
      if (status !== 'uncacheable' && !result.errors?.length) {
        state.answered = true;
        state.answeredData = result.data;
      }
      if (responseCache === undefined) return;
      if (typeof http === 'object' && http !== null) extensions['http'] = 'headers' in http ? { ...http, headers: sentHttpHeaders(http) } : http;
      const { extensions: _dropped, ...rest } = result;
      setResult(Object.keys(extensions).length > 0 ? { ...rest, extensions } : rest);
    },
    onResponse({ request, response, setResponse, fetchAPI }) {
      const mediaType = response.headers.get('content-type')?.split(';')[0]?.trim() ?? '';
      const state = stateOf(request);
      const etag = state.answered && response.status === 200 ? etagOf(state.answeredData, mediaType) : undefined;
      if (etag) {
        response.headers.set('etag', etag);
        const publicAge = request.method === 'GET' ? state.publicMaxAge : undefined;
        response.headers.set('cache-control', cacheControlOf(publicAge, staleWhileRevalidate));
        // rate-limit.ts's onResponse ran before this one (plugin order) and set the caller's budget headers.
        if (publicAge !== undefined) for (const name of [...response.headers.keys()].filter(isCallerBudgetHeader)) response.headers.delete(name);
        // Ours first, then what others declared (Origin, from CORS): the node lane sends the same list.
        response.headers.set('vary', mergeVary(ANSWER_VARY, response.headers.get('vary')));
        if (request.method === 'GET' && matchesIfNoneMatch(request.headers.get('if-none-match'), etag)) {
          state.cacheStatus = 'not-modified';
          // Keep what earlier plugins added (request id, RateLimit-* of a private answer), drop what described the body.
          // Copied name by name in lower case: yoga's result processor sets `Content-Type`, which a
          // copied Headers keeps beside a deleted `content-type` (it reached the wire on every 304).
          const headers: Record<string, string> = {};
          response.headers.forEach((value, name) => {
            const lower = name.toLowerCase();
            if (!BODY_HEADERS.has(lower)) headers[lower] = value;
          });
          response = new fetchAPI.Response(null, { status: 304, headers });
          setResponse(response);
        }
      } else {
        response.headers.delete('etag');
        // Errors, partial answers, refusals, streamed parts (@defer/@stream): a GET's answer that no cache may keep (heuristics included).
        if (request.method === 'GET' && (mediaType.endsWith('json') || STREAMED_TYPES.has(mediaType)) && !response.headers.has('cache-control')) response.headers.set('cache-control', NO_STORE_CACHE_CONTROL);
      }
      const status = state.cacheStatus;
      if (options.statusHeader && status) response.headers.set('x-response-cache', status);
    },
  };
}
