// createPipelineServices: the services the GraphQL pipeline's plugins share, built once per gateway,
// so that yoga.ts holds nothing but the ordered plugin list.
import type { BatchSizes } from '../loaders';
import type { Health } from '../observability/health';
import type { RequestHead } from '../observability/request-head';
import type { Telemetry } from '../observability/telemetry';
import type { PersistedOperationStore } from '../operations/persisted-store';
import { createAdmissionLimit, type AdmissionLimit } from '../plugins/admission/admission-limit';
import { costOf as estimatedCostOf } from '../plugins/cost';
import { DEFAULT_PREFLIGHT_HEADERS } from '../plugins/edge/csrf-prevention';
import type { EscapedErrorHandler } from '../plugins/edge/last-resort';
import { useTelemetry, type TelemetryPlugins } from '../plugins/observability/telemetry';
import { loadPersistedStore } from '../plugins/persisted-operations/persisted-operations';
import { createIdentify, createRequestCaller, type RequestCaller } from '../plugins/rate-limit/caller-identity';
import { createInboundBudgets, type InboundBudgets } from '../plugins/rate-limit/inbound-budgets';
import { requestIdOf } from '../plugins/request-id';
import { createCacheScope, type CacheScope } from '../plugins/response-cache/cache-scope';
import { createEarlyHit, type EarlyHitLookup } from '../plugins/response-cache/response-cache-early-hit';
import { createGatewayCache, type GatewayCache } from '../plugins/response-cache/response-cache-store';
import { createOperationNotes, withCacheTags } from '../plugins/provider-events/cache-tags';
import { createProviderEvents, type ProviderEventsWiring } from './provider-events';
import { createKeyVariables, type KeyVariables } from '../plugins/response-cache/response-cache-variables';
import { perProvider, type Providers } from '../providers';
import { createCachedGetLane, type CachedGetLane } from './cached-get-lane';
import type { CallerVerifier } from '../auth/caller';
import type { GatewayConfig } from './config';
import type { SharedRedis } from './redis';
import type { RedisGuard } from './redis-guard';
import { getSchema } from './schema';
import { GRAPHQL_ENDPOINT, type GatewayYoga } from './yoga';

export interface PipelineDependencies {
  readonly providers: Providers;
  readonly verifyCaller: CallerVerifier;
  /** Injected clock for deadlines. @default Date.now */
  readonly now?: () => number;
  /** Shared state (rate-limit budgets, response cache) between instances; memory when absent. */
  readonly redis?: SharedRedis | undefined;
  /** Timeout and breaker around every Redis call of the request path. @default none */
  readonly redisGuard?: RedisGuard | undefined;
  /** Estimated cost of a request's operation, spent from the caller's cost budget. @default the cost plugin's `costOf` (1 when it estimated nothing) */
  readonly costOf?: (request: Request) => number | undefined;
  /** Request logs, metrics (and `/api/metrics`), spans. @default none (nothing observed) */
  readonly telemetry?: Telemetry | undefined;
  /** Liveness/readiness probes for the node:http entry. @default none */
  readonly health?: Health | undefined;
}

/** Everything createYogaServer's plugins and context use; one instance each per gateway. */
export interface PipelineServices {
  readonly providers: Providers;
  readonly batchSizes: BatchSizes;
  readonly now: () => number;
  readonly callerOf: RequestCaller;
  readonly identify: (request: RequestHead, serverContext: unknown) => Promise<string>;
  readonly inbound: InboundBudgets | undefined;
  readonly costOf: (request: Request) => number | undefined;
  readonly persisted: PersistedOperationStore;
  readonly responseCache: GatewayCache;
  /** Tells the store which operation each key belongs to (tags for the admin API and CDNs). */
  readonly onCacheKey: (key: string, document: string, operationName: string | undefined) => void;
  /** POST /api/webhooks/<provider> and /api/admin/invalidate (provider-events.ts). */
  readonly providerEvents: ProviderEventsWiring;
  readonly cacheScope: CacheScope;
  readonly keyVariables: KeyVariables;
  readonly earlyHit: EarlyHitLookup | undefined;
  readonly admission: AdmissionLimit | undefined;
  readonly telemetry: TelemetryPlugins | undefined;
  readonly health: Health | undefined;
  readonly onEscapedError: EscapedErrorHandler;
}

export interface PipelineWiring {
  readonly services: PipelineServices;
  /** Attached to the yoga built from `services` (attachCachedGetLane); undefined when the early hit is off. */
  readonly lane: CachedGetLane | undefined;
}

export function createPipelineServices(config: GatewayConfig, deps: PipelineDependencies): PipelineWiring {
  const batchSizes = perProvider((name) => config.providers[name].maxBatchSize);

  // The bearer token is verified once per request, whoever asks first (rate limit, cache, context).
  const callerOf = createRequestCaller(deps.verifyCaller);
  // Tagged by operation, and PUBLIC entries carry CDN tag headers (cache-tags.ts).
  const operationNotes = createOperationNotes();
  const untagged = createGatewayCache({
    redis: deps.redis,
    keyPrefix: config.redisKeyPrefix,
    maxEntries: config.responseCache.maxEntries,
    hashTag: config.redis.clusterNodes.length > 0,
    guard: deps.redisGuard,
    readWaitMs: config.redis.timeoutMs,
    // A request (its deadline) writes its answer long before this; the margin covers clock skew.
    markerTtlMs: Math.max(10 * 60 * 1000, 3 * config.requestDeadlineMs),
    onStoreError: storeErrorLog(deps.telemetry, deps.now ?? Date.now),
  });
  const responseCache = withCacheTags(untagged, operationNotes);
  const providerEvents = createProviderEvents(config, { cache: responseCache, redis: deps.redis, telemetry: deps.telemetry, now: deps.now ?? Date.now });

  const inbound = createInboundBudgets({ config: config.rateLimit, redis: deps.redis, guard: deps.redisGuard, keyPrefix: config.redisKeyPrefix });
  const identify = createIdentify(callerOf, config.trustedProxies);
  const persisted = loadPersistedStore(config.persistedOperations.dir);
  const cacheScope = createCacheScope(getSchema());
  // One for the pipeline and the early hit, so that both key a request alike.
  const keyVariables = createKeyVariables({ schema: getSchema(), documentOf: (body) => persisted.documentOf(body) });
  // GETs of persisted operations are looked up before yoga parses them: by the node lane on node:http,
  // else by the cache plugin's first hook.
  const earlyHit =
    config.responseCache.enabled && config.responseCache.earlyHit
      ? createEarlyHit({ store: persisted, scope: cacheScope, cache: responseCache, keyVariables, callerOf, preflightHeaders: DEFAULT_PREFLIGHT_HEADERS })
      : undefined;
  const admission = config.admission.enabled
    ? createAdmissionLimit({
        minConcurrent: config.admission.minConcurrent,
        maxConcurrent: config.admission.maxConcurrent,
        maxQueued: config.admission.maxQueued,
        maxQueueMs: config.admission.queueTimeoutMs,
        saturation: config.admission.saturation,
      })
    : undefined;
  if (admission !== undefined) deps.telemetry?.metrics.watchAdmission(() => admission.state());
  const costOf = deps.costOf ?? estimatedCostOf;
  const observed = deps.telemetry !== undefined && config.observability.enabled ? deps.telemetry : undefined;
  const telemetry = observed !== undefined ? useTelemetry(observed, { endpoint: GRAPHQL_ENDPOINT, costOf, isPersistedDocument: (document) => persisted.isPersistedDocument(document) }) : undefined;

  const onEscapedError: EscapedErrorHandler = (error, request) => {
    if (deps.telemetry !== undefined) deps.telemetry.logger.error({ err: error, requestId: requestIdOf(request) }, 'unhandled error');
    // Without telemetry (tests, the bare benchmark) the stack still goes to stderr, once.
    else console.error(error);
  };

  const lane =
    earlyHit === undefined
      ? undefined
      : createCachedGetLane({
          endpoint: GRAPHQL_ENDPOINT,
          lookup: earlyHit,
          identify,
          budgets: inbound,
          telemetry: observed,
          statusHeader: config.isDev,
          isDev: config.isDev,
          staleWhileRevalidateSeconds: config.responseCache.staleWhileRevalidateSeconds,
          varyOrigin: config.corsOrigins.length > 0,
        });

  const services: PipelineServices = {
    providers: deps.providers,
    batchSizes,
    now: deps.now ?? Date.now,
    callerOf,
    identify,
    inbound,
    costOf,
    persisted,
    responseCache,
    onCacheKey: operationNotes.note,
    providerEvents,
    cacheScope,
    keyVariables,
    earlyHit,
    admission,
    telemetry,
    health: deps.health,
    onEscapedError,
  };
  return { services, lane };
}

/**
 * The response cache's store failures as log lines: the operation and the scrubbed error only, at
 * most one line per operation every 10 s (with how many were left out), so that an outage of Redis,
 * where every request fails its read, does not flood the log.
 */
function storeErrorLog(telemetry: Telemetry | undefined, now: () => number): (error: unknown, operation: 'get' | 'set' | 'invalidate') => void {
  const last = { get: { at: -Infinity, suppressed: 0 }, set: { at: -Infinity, suppressed: 0 }, invalidate: { at: -Infinity, suppressed: 0 } };
  return (error, operation) => {
    if (telemetry === undefined) return;
    const seen = last[operation];
    const at = now();
    if (at - seen.at < 10_000) {
      seen.suppressed++;
      return;
    }
    telemetry.logger.warn({ operation, err: error, suppressed: seen.suppressed }, 'response cache store failed');
    seen.at = at;
    seen.suppressed = 0;
  };
}

// The node lane for cached GETs of each gateway yoga, found by startNodeServer (see cached-get-lane.ts).
const lanes = new WeakMap<GatewayYoga, CachedGetLane>();

export function attachCachedGetLane(yoga: GatewayYoga, lane: CachedGetLane | undefined): void {
  if (lane !== undefined) lanes.set(yoga, lane);
}

/** The node:http lane that answers cached GETs before yoga; undefined when the early hit is off. */
export function cachedGetLaneOf(yoga: GatewayYoga): CachedGetLane | undefined {
  return lanes.get(yoga);
}
