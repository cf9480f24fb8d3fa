// The response cache's early hit: a GET of a persisted operation whose answer is in the cache is
// answered from the first request hook, once the request id, telemetry and the inbound budgets have
// seen the request, without yoga's parameter parsing, its per-operation hooks, result processing
// and serialisation. A hit costs about a third of what it costs through the pipeline (bench:
// ours-cache-hit). The cache, key, scope and caller are the pipeline's own, so an entry means the
// same thing on both paths; anything this module does not recognise (a document sent in full, a
// POST, an unknown id, unusual Accept, bad JSON, a bad token) goes the normal way and gets the
// normal answer or error.
//
// What the early path does not re-run, and why that is sound: the allowlist is checked here (the
// id must be in the manifest); the operation limits and cost are properties of a manifest document
// and of variables that already passed them when the entry was stored (the key includes both),
// and a pipeline hit skips validation and cost the same way. The key's variables are the declared,
// coerced ones, worked out by the pipeline's own function once per distinct URL.
import type { ExecutionResult } from 'graphql';
import { SHA256_HEX } from '../../operations/manifest';
import type { RequestHead } from '../../observability/request-head';
import type { PersistedOperationStore } from '../../operations/persisted-store';
import type { CacheScope } from './cache-scope';
import type { RequestCaller } from '../rate-limit/caller-identity';
import { refusedAsCsrf } from '../edge/csrf-prevention';
import { publicMaxAgeOf } from './http-cache-headers';
import { persistedIdOf } from '../persisted-operations/persisted-id';
import { buildCacheKey, sessionOf, UNCACHEABLE_KEY, type CacheKeyInput } from './response-cache-key';
import type { GatewayCache } from './response-cache-store';
import type { KeyVariables } from './response-cache-variables';

export interface EarlyHit {
  /** The answer as the pipeline would serialise it, UTF-8 encoded once per cached result. */
  readonly bytes: Buffer<ArrayBuffer>;
  /** Headers the cached result carries for yoga to send (`extensions.http.headers`: Last-Modified). */
  readonly headers: Readonly<Record<string, string>>;
  /** `application/graphql-response+json` or `application/json`, as yoga would have chosen. */
  readonly mediaType: string;
  /** The cached data (its ETag is memoised per object). */
  readonly data: unknown;
  readonly persistedId: string;
  readonly operationName: string | undefined;
  /** The max-age a shared cache may keep this answer for (http-cache-headers.ts); undefined: not public. */
  readonly publicMaxAge: number | undefined;
}

export interface EarlyHitOptions {
  readonly store: PersistedOperationStore;
  readonly scope: CacheScope;
  readonly cache: GatewayCache;
  /** The pipeline's (response-cache.ts), so that a GET keys here exactly as it would there. */
  readonly keyVariables: KeyVariables;
  readonly callerOf: RequestCaller;
  /** The headers that prove a cookie-bearing GET was preflighted (csrf-prevention.ts). */
  readonly preflightHeaders: readonly string[];
}

const JSON_TYPES = ['application/graphql-response+json', 'application/json'] as const;
const INVALID = Symbol('invalid');

/**
 * The JSON media type graphql-yoga's result processor picks for a single result, or undefined when it
 * would pick something else. Mirrors use-result-processor.js: Accept entries in reverse order, each
 * tried against both JSON types, the last match wins (so `*∕*` gives application/json).
 */
export function negotiatedJsonType(accept: string | null): string | undefined {
  const asked = (accept ?? '*/*').replace(/\s/g, '').toLowerCase().split(',');
  let chosen: string | undefined;
  for (let i = asked.length - 1; i >= 0; i--) {
    const [range = '', ...params] = (asked[i] ?? '').split(';');
    const charset = params.find((p) => p.includes('charset=')) ?? 'charset=utf-8';
    if (charset !== 'charset=utf-8') continue;
    const [type, subtype] = range.split('/');
    for (const candidate of JSON_TYPES) {
      const [pre, suf] = candidate.split('/');
      if ((type === '*' || type === pre) && (subtype === '*' || subtype === suf)) chosen = candidate;
    }
  }
  return chosen;
}

function parseParam(text: string | null): unknown {
  if (text === null || text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return INVALID;
  }
}

interface Served {
  readonly bytes: Buffer<ArrayBuffer>;
  readonly headers: Readonly<Record<string, string>>;
}

// The in-memory store hands back the same result object on every hit: serialise it once.
const served = new WeakMap<object, Served>();

/**
 * The headers a cached result asks yoga to send (`extensions.http.headers`), less the plugin's
 * `ETag: <cache key>`: ours (response-cache.ts) is the one a 304 is checked against, and the
 * plugin's, under another letter case, reached the wire as a second value (`etag: p:…, W/"…"`)
 * that also told clients the internal cache key.
 */
export function sentHttpHeaders(http: unknown): Record<string, string> {
  const headers = typeof http === 'object' && http !== null && 'headers' in http ? http.headers : undefined;
  if (typeof headers !== 'object' || headers === null) return {};
  return Object.fromEntries(Object.entries(headers).filter((entry): entry is [string, string] => typeof entry[1] === 'string' && entry[0].toLowerCase() !== 'etag'));
}

/**
 * What yoga sends for a cached result: `extensions.http` becomes response headers and leaves the
 * body (its result processor), the cache's own metadata extension is dropped (our plugin).
 */
function servedOf(result: ExecutionResult<Record<string, unknown>, Record<string, unknown>>): Served {
  let answer = served.get(result);
  if (answer === undefined) {
    const { extensions, ...rest } = result;
    const { responseCache: _metadata, http, ...kept } = extensions ?? {};
    answer = { bytes: Buffer.from(JSON.stringify(Object.keys(kept).length > 0 ? { ...rest, extensions: kept } : rest)), headers: sentHttpHeaders(http) };
    served.set(result, answer);
  }
  return answer;
}

/** What a request's URL and Accept header say, worked out once per distinct URL (see `prepared`). */
interface Prepared {
  readonly persistedId: string;
  readonly operationName: string | undefined;
  readonly mediaType: string;
  readonly keyInput: Omit<CacheKeyInput, 'sessionId'>;
  /** The document's smallest @cacheControl maxAge (cache-scope.ts). */
  readonly maxAge: number | undefined;
  /** The key for every caller (PUBLIC) or for anonymous callers (PRIVATE: never stored). */
  readonly sharedKey: string;
}

// Distinct GET URLs of persisted operations are few (operation × variables); clients repeat them.
const MAX_PREPARED = 2_000;

function prepare(store: PersistedOperationStore, scope: CacheScope, keyVariables: KeyVariables, url: URL, accept: string | null): Prepared | undefined {
  const search = url.searchParams;
  if (search.get('query')) return undefined;
  const mediaType = negotiatedJsonType(accept);
  if (mediaType === undefined) return undefined;
  const extensions = parseParam(search.get('extensions'));
  const variables = parseParam(search.get('variables'));
  if (extensions === INVALID || (variables !== undefined && (typeof variables !== 'object' || variables === null || Array.isArray(variables)))) return undefined;
  const persistedId = persistedIdOf({ extensions, documentId: search.get('documentId') ?? undefined });
  if (persistedId === undefined || !SHA256_HEX.test(persistedId)) return undefined;
  const operation = store.get(persistedId);
  if (operation === undefined) return undefined;
  const operationName = search.get('operationName') ?? undefined;
  // Variables that fail coercion (or a name that selects no operation) get the pipeline's error.
  const declared = keyVariables(operation.document, operationName, variables);
  if (declared === undefined) return undefined;
  const keyInput = { document: operation.body, persistedId, operationName, variables: declared, isPrivate: scope.isPrivate(operation.body) };
  const sharedKey = buildCacheKey({ ...keyInput, sessionId: null });
  return sharedKey === UNCACHEABLE_KEY ? undefined : { persistedId, operationName, mediaType, keyInput, sharedKey, maxAge: scope.maxAgeOf(operation.body) };
}

/** The early hit of a GET to the GraphQL endpoint (the caller checks method and path), or undefined. */
export type EarlyHitLookup = (request: RequestHead) => Promise<EarlyHit | undefined>;

// node:http requests the node lane already looked up and found nothing for: yoga's early hook skips them.
const lookedUp = new WeakSet<object>();

/** Marks a node request (IncomingMessage) as looked up without a hit (the node lane). */
export function noteLookedUp(raw: object): void {
  lookedUp.add(raw);
}

/** True when the node lane looked this request up already (yoga's server context carries `req`). */
export function lookedUpBefore(serverContext: unknown): boolean {
  if (typeof serverContext !== 'object' || serverContext === null || !('req' in serverContext)) return false;
  const req: unknown = serverContext.req;
  return typeof req === 'object' && req !== null && lookedUp.has(req);
}

export function createEarlyHit(options: EarlyHitOptions): EarlyHitLookup {
  const { store, scope, cache, callerOf } = options;
  // By Accept, then the raw URL (no key string built per request); null remembers "not for the
  // early path". Bounded: cleared when full.
  const prepared = new Map<string, Map<string, Prepared | null>>();
  let size = 0;

  function preparedFor(request: RequestHead): Prepared | undefined {
    const accept = request.headers.get('accept');
    let byUrl = prepared.get(accept ?? '');
    if (byUrl === undefined) {
      byUrl = new Map();
      prepared.set(accept ?? '', byUrl);
    }
    let entry = byUrl.get(request.url);
    if (entry === undefined) {
      // The node lane's URL is a path: only its query matters here.
      entry = prepare(store, scope, options.keyVariables, new URL(request.url, 'http://gateway'), accept) ?? null;
      if (size >= MAX_PREPARED) {
        prepared.clear();
        size = 0;
        byUrl = new Map();
        prepared.set(accept ?? '', byUrl);
      }
      byUrl.set(request.url, entry);
      size += 1;
    }
    return entry ?? undefined;
  }

  return async (request) => {
    if (refusedAsCsrf(request, options.preflightHeaders)) return undefined;
    const hit = preparedFor(request);
    if (hit === undefined) return undefined;
    let key = hit.sharedKey;
    if (request.headers.has('authorization')) {
      let sessionId: string | null;
      try {
        sessionId = sessionOf(await callerOf(request));
      } catch {
        return undefined; // the pipeline answers 401
      }
      if (hit.keyInput.isPrivate) key = buildCacheKey({ ...hit.keyInput, sessionId });
    }
    const result = await cache.get(key);
    if (!result || result.errors?.length) return undefined;
    const publicMaxAge = publicMaxAgeOf({ request, persisted: true, isPrivate: hit.keyInput.isPrivate, maxAge: hit.maxAge });
    return { ...servedOf(result), mediaType: hit.mediaType, data: result.data, persistedId: hit.persistedId, operationName: hit.operationName, publicMaxAge };
  };
}
