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
import { getOperationAST } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { useResponseCache as useYogaResponseCache } from '@graphql-yoga/plugin-response-cache';
import type { ResponseCacheConfig } from '../config';
import { sha256Hex } from '../operations/manifest';
import { callerOrNull, type RequestCaller } from './caller-identity';
import type { CacheScope } from './cache-scope';
import { persistedIdOf } from './persisted-id';
import { lookedUpBefore, sentHttpHeaders, type EarlyHit, type EarlyHitLookup } from './response-cache-early-hit';
import { buildCacheKey, UNCACHEABLE_KEY } from './response-cache-key';
import type { GatewayCache } from './response-cache-store';
import type { KeyVariables } from './response-cache-variables';

export type CacheStatus = 'hit' | 'miss' | 'uncacheable' | 'not-modified';

const statuses = new WeakMap<Request, CacheStatus>();
const etags = new WeakMap<Request, string>();
const earlyHits = new WeakMap<Request, EarlyHit>();

/** What the response cache did for a request (for logs and metrics); undefined when it did not see it. */
export function responseCacheStatusOf(request: Request): CacheStatus | undefined {
  return statuses.get(request);
}

/** The early hit that answered a request (its operation, for the request's log line); undefined otherwise. */
export function earlyHitOf(request: Request): Pick<EarlyHit, 'persistedId' | 'operationName'> | undefined {
  return earlyHits.get(request);
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
}


// The in-memory store hands back the same `data` object on every hit: hash it once, not per request.
const etagsByData = new WeakMap<object, string>();

/** Our ETag of the data served: a hash of it, so a 304 always means "what you hold is what you would get". */
export function etagOf(data: unknown): string {
  const memo = typeof data === 'object' && data !== null ? etagsByData.get(data) : undefined;
  if (memo) return memo;
  const etag = `W/"${sha256Hex(JSON.stringify(data) ?? '').slice(0, 32)}"`;
  if (typeof data === 'object' && data !== null) etagsByData.set(data, etag);
  return etag;
}

/** Browsers may keep a cached answer but must revalidate it; shared caches must not keep it. */
export const CACHED_ANSWER_CACHE_CONTROL = 'private, no-cache';

// Representation metadata a 304 must not carry (RFC 9110 §15.4.5).
const BODY_HEADERS = new Set(['content-type', 'content-length', 'content-encoding']);

/** RFC 9110 weak comparison against an If-None-Match list (or `*`). */
export function matchesIfNoneMatch(header: string | null | undefined, etag: string): boolean {
  if (!header) return false;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
  return header.split(',').some((tag) => tag.trim() === '*' || opaque(tag) === opaque(etag));
}

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
  // The persisted id as sent: persisted-operations swaps a `documentId` for its body before
  // onParams, and the key must name it as the early hit (which reads the URL) does.
  const sentIds = new WeakMap<Request, string>();

  // Its onRequest hook is the key-based 304 described above: left out.
  const { onRequest: _keyBased304, ...inner } = useYogaResponseCache({
    cache,
    ttl: (options.defaultMaxAgeSeconds ?? 0) * 1000,
    // Throws on a bad token, so that a hit cannot skip the 401 the context would give.
    session: async (request) => (await callerOf(request))?.id ?? null,
    buildResponseCacheKey: ({ documentString, variableValues, operationName, sessionId, request }) => {
      const variables = options.keyVariables(documentString, operationName ?? undefined, variableValues);
      if (variables === undefined) return UNCACHEABLE_KEY;
      return buildCacheKey({
        document: documentString,
        persistedId: sentIds.get(request),
        operationName: operationName ?? undefined,
        variables,
        sessionId: sessionId ?? null,
        isPrivate: scope.isPrivate(documentString || undefined),
      });
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
      earlyHits.set(request, hit);
      statuses.set(request, 'hit');
      etags.set(request, etagOf(hit.data));
      // onResponse below adds the ETag (or turns this into a 304), like for any other hit.
      const headers = new fetchAPI.Headers(hit.headers);
      headers.set('content-type', `${hit.mediaType}; charset=utf-8`);
      endResponse(new fetchAPI.Response(hit.bytes, { status: 200, headers }));
    },
    onRequestParse({ request }) {
      return {
        onRequestParseDone({ requestParserResult }) {
          const id = Array.isArray(requestParserResult) ? undefined : persistedIdOf(requestParserResult);
          if (id !== undefined) sentIds.set(request, id);
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
      if (!result || Symbol.asyncIterator in result) return;
      const { responseCache, http, ...extensions } = result.extensions ?? {};
      const status = statusFromMetadata(responseCache);
      statuses.set(request, status);
      if (status !== 'uncacheable' && !result.errors?.length) etags.set(request, etagOf(result.data));
      if (responseCache === undefined) return;
      if (typeof http === 'object' && http !== null) extensions['http'] = 'headers' in http ? { ...http, headers: sentHttpHeaders(http) } : http;
      const { extensions: _dropped, ...rest } = result;
      setResult(Object.keys(extensions).length > 0 ? { ...rest, extensions } : rest);
    },
    onResponse({ request, response, setResponse, fetchAPI }) {
      const etag = etags.get(request);
      if (etag && response.status === 200) {
        response.headers.set('etag', etag);
        if (!response.headers.has('cache-control')) response.headers.set('cache-control', CACHED_ANSWER_CACHE_CONTROL);
        if (request.method === 'GET' && matchesIfNoneMatch(request.headers.get('if-none-match'), etag)) {
          statuses.set(request, 'not-modified');
          // Keep what earlier plugins added (request id, RateLimit-*), drop what described the body.
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
      }
      const status = statuses.get(request);
      if (options.statusHeader && status) response.headers.set('x-response-cache', status);
    },
  };
}
