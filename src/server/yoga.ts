// createYogaServer: the GraphQL pipeline as ONE ordered list of plugins, one phase comment per group.
// Order matters: a request is identified first, refused as early (and as cheaply) as possible,
// and every error it meets is mapped to the contract last.
import { useGraphQlJit } from '@envelop/graphql-jit';
import { createYoga, type YogaServerInstance, type YogaServerOptions } from 'graphql-yoga';
import { toGraphQLError } from '../errors/to-graphql-error';
import { graphiqlExamples } from '../generated/graphiql-examples';
import { createLoaders } from '../loaders';
import { HEALTH_PATHS } from '../observability/health';
import { METRICS_PATH } from '../observability/metrics-endpoint';
import { useAdmission } from '../plugins/admission/admission';
import { useErrorContract } from '../plugins/error-contract';
import { useExactEndpoint } from '../plugins/edge/exact-endpoint';
import { useHealth } from '../plugins/observability/health';
import { graphiqlOptions, renderOfflineGraphiQL } from '../plugins/graphiql';
import { useCost } from '../plugins/cost';
import { edgeYogaOptions } from '../plugins/edge/edge-options';
import { useGraphQLOverHttpStatus } from '../plugins/edge/graphql-over-http-status';
import { corsPolicy, useCorsVary } from '../plugins/edge/cors';
import { DEFAULT_PREFLIGHT_HEADERS, useCsrfPrevention } from '../plugins/edge/csrf-prevention';
import { useHttpHardening } from '../plugins/edge/http-hardening';
import { useIncrementalDelivery } from '../plugins/incremental/incremental-delivery';
import { usesIncrementalDelivery } from '../plugins/incremental/incremental-document';
import { guardPlugin, useGuardedHandler } from '../plugins/edge/last-resort';
import { useOperationLimits } from '../plugins/operation-limits';
import { usePersistedOperations } from '../plugins/persisted-operations/persisted-operations';
import { useRateLimit } from '../plugins/rate-limit/rate-limit';
import { useRequestBodyLimit } from '../plugins/edge/request-body-limit';
import { useRequestParams } from '../plugins/edge/request-params';
import { requestIdOf, useRequestId } from '../plugins/request-id';
import { useResponseCache } from '../plugins/response-cache/response-cache';
import { useProviderEvents } from '../plugins/provider-events/use-provider-events';
import type { GatewayConfig } from './config';
import type { GraphQLContext } from './context';
import { NODE_FETCH_API } from './fetch-api';
import { nativeSignal } from './native-signal';
import type { PipelineServices } from './pipeline-services';
import { getSchema } from './schema';

/** Yoga plugins and plain envelop plugins (graphql-jit) alike. */
type YogaPlugin = NonNullable<YogaServerOptions<Record<string, unknown>, GraphQLContext>['plugins']>[number];

export type GatewayYoga = YogaServerInstance<Record<string, unknown>, GraphQLContext>;

export const GRAPHQL_ENDPOINT = '/api/graphql';

/** The pipeline over the gateway's services (built by createPipelineServices, pipeline-services.ts). */
export function createYogaServer(config: GatewayConfig, services: PipelineServices): GatewayYoga {
  const { providers, batchSizes, now, callerOf, persisted, admission, telemetry, onEscapedError } = services;

  const plugins: (YogaPlugin | false)[] = [
    // 1. Identify: the request id comes first so that every later error and log line carries it.
    useRequestId(),
    // CORS itself is yoga's `cors` option (below); every response then says it varies by Origin.
    config.corsOrigins.length > 0 && useCorsVary(),
    // Provider webhooks and the admin invalidation API: not GraphQL, so no budget, allowlist or limit applies (each bounds its own body).
    useProviderEvents(services.providerEvents),
    // Only the exact paths are served (yoga alone would also answer `/anything/api/graphql/`).
    useExactEndpoint([GRAPHQL_ENDPOINT, HEALTH_PATHS.live, HEALTH_PATHS.ready, METRICS_PATH], config.isDev),
    // Parameters are typed and bounded before any plugin reads them (telemetry's labels, the allowlist, cache keys).
    useRequestParams({ maxVariablesDepth: config.limits.maxVariablesDepth, maxVariablesValues: config.limits.maxVariablesValues }),
    // Observe every request to the endpoint (refused ones too): one log line, metrics, a span; serves /api/metrics.
    telemetry?.head ?? false,
    // Load-balancer probes (/api/health/live, /api/health/ready), answered before any budget is spent.
    services.health !== undefined && useHealth(services.health),
    // Inbound budgets per caller: a request is counted before it is even parsed; its estimated cost
    // is spent just before execution (so the limits plugins must have run).
    useRateLimit({ budgets: services.inbound, endpoint: GRAPHQL_ENDPOINT, identify: services.identify, costOf: services.costOf, isDev: config.isDev }),
    // Edge protection, cheapest refusal first: POST content type, then the persisted-operation allowlist
    // (resolves ids to documents), then the limits (size before parse, tokens in it, shape before
    // validation) and the static cost (kept per request for the rate limiter, sent as x-operation-cost).
    useHttpHardening({ isDev: config.isDev }),
    useRequestBodyLimit(config.limits.maxRequestBodyBytes),
    useGraphQLOverHttpStatus(),
    usePersistedOperations({ ...config.persistedOperations, store: persisted }),
    // A GET with a Cookie needs a preflight-forcing header; checked once the operation is known, so
    // that a mutation over GET is a 405 first (csrf-prevention.ts).
    useCsrfPrevention({ preflightHeaders: DEFAULT_PREFLIGHT_HEADERS, maxTokens: config.limits.maxTokens }),
    // @defer/@stream (multipart/mixed); a 406 before any work when the client accepts no format we serve.
    useIncrementalDelivery(),
    useOperationLimits({ limits: config.limits, mode: config.limits.mode }),
    useCost({ maxCost: config.limits.maxCost, mode: config.limits.mode }),
    // Execution: persisted operations run compiled (graphql-jit, once per document, ≈2× faster than
    // graphql-js here); arbitrary documents (development, audit mode) keep graphql-js, so a stream of
    // unique documents cannot make us compile without end. Before the response cache: the cache wraps
    // the executor it finds (to add and strip its entity fields, which give TTLs and invalidation),
    // and a later plugin's executor would replace that wrapper instead.
    // graphql-jit cannot defer or stream: such documents stay with graphql-js (@graphql-tools/executor).
    useGraphQlJit({}, { enableIf: (args) => persisted.isPersistedDocument(args.document) && !usesIncrementalDelivery(args.document) }),
    // Whole-response cache: after the allowlist and the limits (a refused operation is never served),
    // before execution. Looks up in onParams, so a hit skips parse, validation and execution; a GET
    // of a persisted operation is looked up already in onRequest (after the budgets), see early-hit.
    useResponseCache({
      config: config.responseCache,
      endpoint: GRAPHQL_ENDPOINT,
      scope: services.cacheScope,
      earlyHit: services.earlyHit,
      cache: services.responseCache,
      keyVariables: services.keyVariables,
      callerOf,
      statusHeader: config.isDev,
      onCacheKey: services.onCacheKey,
    }),
    // Admission: what is left (not refused, not a cached answer) waits for a slot of the adaptive
    // concurrency limit before any GraphQL work, see admission-limit.ts.
    admission !== undefined && useAdmission({ limit: admission, endpoint: GRAPHQL_ENDPOINT, isDev: config.isDev }),
    // 2. Map every error to the contract (runs on the result, whatever phase produced it).
    useErrorContract({ isDev: config.isDev }),
    // 3. The request's log line, metrics and span, once the response is final.
    telemetry?.tail ?? false,
    // Last: wraps the request handler the others settled on (see last-resort.ts).
    useGuardedHandler(onEscapedError),
  ];

  return createYoga<Record<string, unknown>, GraphQLContext>({
    schema: getSchema(),
    // The same fetch classes under `next start` as standalone (see fetch-api.ts).
    fetchAPI: NODE_FETCH_API,
    graphqlEndpoint: GRAPHQL_ENDPOINT,
    // Only CORS_ORIGINS get Access-Control-* headers, credentials included; none at all without them.
    cors: corsPolicy({ origins: config.corsOrigins }),
    // Development only; assets are bundled (no CDN), the persisted operations open as tabs, with the dev token (GRAPHIQL_TOKEN) if given.
    graphiql: config.isDev ? graphiqlOptions({ examples: graphiqlExamples, token: config.graphiqlToken }) : false,
    renderGraphiQL: renderOfflineGraphiQL,
    landingPage: false,
    // Request body, batch size, no multipart (no uploads): see src/plugins/edge/edge-options.ts.
    ...edgeYogaOptions(config.limits),
    // Errors are logged once, with their request id, by the observability layer; yoga's own logger stays quiet.
    logging: false,
    maskedErrors: { maskError: (error) => toGraphQLError(error, { isDev: config.isDev }) },
    // Every request and response hook is guarded: an exception that escapes becomes the contract's JSON 500.
    plugins: plugins.filter((p): p is YogaPlugin => p !== false).map((p) => guardPlugin(p, onEscapedError)),
    context: async ({ request }): Promise<GraphQLContext> => {
      const requestId = requestIdOf(request);
      const caller = await callerOf(request);
      const call = { requestId, deadlineAt: now() + config.requestDeadlineMs, signal: nativeSignal(request.signal) };
      return { requestId, caller, call, providers, loaders: createLoaders(providers, batchSizes, call) };
    },
  });
}
