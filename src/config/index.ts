// The typed, frozen gateway configuration derived from the validated environment and each provider's
// settings. Tests build configs with `buildConfig(parseEnv({...}))` (src/server/config.ts, which joins
// in the registered providers) instead of touching the process environment.
import { callerKeysOf, type CallerKeys, type JwsAlgorithm } from './caller-keys';
import { DEV_CORS_ORIGINS } from './cors-origins';
import type { GatewayEnv } from './env';
import type { TrustedProxy } from './trusted-proxies';
import type { RedisNode } from './redis-nodes';

export type ProviderAuthConfig =
  | { readonly kind: 'apiKey'; readonly header: string; readonly value: string }
  | { readonly kind: 'bearer'; readonly token: string }
  | { readonly kind: 'oauth2'; readonly tokenUrl: string; readonly clientId: string; readonly clientSecret: string; readonly scope: string };

/** What a provider module sets from its own variables (its `config`); the rest comes from UPSTREAM_*. */
export interface ProviderSettings {
  readonly baseUrl: string;
  readonly auth: ProviderAuthConfig;
  /** The provider's largest batch (ids per call); loaders chunk to it. */
  readonly maxBatchSize: number;
  /** The rate the provider publishes for us. @default UPSTREAM_RATE_PER_SECOND and UPSTREAM_BURST (UPSTREAM_RATE_PER_SECOND=0 turns every bucket off) */
  readonly rateLimit?: { readonly ratePerSecond: number; readonly burst: number };
  /** Secrets its signed webhooks may use: the current one, then the previous one during a rotation (unset ones left out). @default [] (its webhook answers 404) */
  readonly webhookSecrets?: readonly (string | undefined)[];
}

export interface ProviderConfig {
  readonly name: string;
  readonly baseUrl: string;
  readonly auth: ProviderAuthConfig;
  /** Timeout of one attempt, capped by the request deadline. @default 3000 */
  readonly attemptTimeoutMs: number;
  /** @default 2 */
  readonly maxRetries: number;
  /** The provider's largest batch (ids per call); loaders chunk to it. */
  readonly maxBatchSize: number;
  /** Outbound token bucket: the provider's known rate; undefined when UPSTREAM_RATE_PER_SECOND is 0 (no bucket). */
  readonly rateLimit: { readonly ratePerSecond: number; readonly burst: number } | undefined;
  /** Most calls in flight at once toward this provider. @default 64 */
  readonly maxConcurrent: number;
  /** Secrets its signed webhooks may use (current first); empty: its webhook answers 404. */
  readonly webhookSecrets: readonly string[];
}

/** Provider events (signed webhooks) and the admin invalidation endpoint. */
export interface CacheEventsConfig {
  /** CACHE_ADMIN_TOKEN: bearer token of POST /api/admin/invalidate; undefined: that route answers 404. */
  readonly adminToken: string | undefined;
  /** CACHE_PURGE_URL: called with the cache tags after every invalidation; undefined: none. */
  readonly purgeUrl: string | undefined;
  readonly purgeToken: string | undefined;
  /** WEBHOOK_MAX_BODY_BYTES. @default 65536 */
  readonly maxBodyBytes: number;
  /** WEBHOOK_TOLERANCE_SECONDS. @default 300 */
  readonly toleranceSeconds: number;
}

/** Inbound limits per caller identity (JWT subject, else client IP); shared through Redis when REDIS_URL is set. */
export interface RateLimitConfig {
  /** Length of the fixed window. @default 60 */
  readonly windowSeconds: number;
  /** Requests per caller per window; 0 = unlimited. @default 600 (0 in test) */
  readonly requestsPerWindow: number;
  /** Estimated operation cost per caller per window; 0 = unlimited. @default 50000 (0 in test) */
  readonly costPerWindow: number;
  /** Requests per caller per burst window, on top of the per-window budget; 0 = no burst limit. @default 60 (0 in test) */
  readonly burstRequests: number;
  /** Length of the burst's fixed window. @default 2 */
  readonly burstSeconds: number;
  /**
   * With Redis: the share of each limit an instance leases per Redis call (budget-lease.ts); a caller
   * is then admitted at least `limit − instances × lease` per window, never more than the limit.
   * 0 = exact (one call per spend). @default 0.1
   */
  readonly leaseFraction: number;
}

export interface ResponseCacheConfig {
  /** @default true in production and development, false in test */
  readonly enabled: boolean;
  /** Entries of the in-memory store (ignored with Redis). @default 10000 */
  readonly maxEntries: number;
  /**
   * Serve a cached answer to a GET persisted query before yoga's pipeline: straight from Node's
   * request on node:http and under `next start` (src/server/cached-get-lane.ts), else from the first
   * request hook (src/plugins/response-cache-early-hit.ts). Needs `enabled`. @default true
   */
  readonly earlyHit: boolean;
  /**
   * `stale-while-revalidate` of a public answer's Cache-Control: how long a shared cache may keep
   * serving it past its max-age while it refetches; 0 omits the directive. @default 60
   */
  readonly staleWhileRevalidateSeconds: number;
}

/** Graceful shutdown on SIGTERM/SIGINT (src/server/shutdown.ts, README "Shutdown"). */
export interface ShutdownConfig {
  /** Time the listener keeps serving after the signal while readiness answers 503. @default 5000 in production, 0 in development, test and the demo */
  readonly drainMs: number;
  /** Time in-flight requests get once the listener is closed; their connections are cut beyond it. @default 15000 */
  readonly timeoutMs: number;
}

/** The adaptive admission limit (src/plugins/admission-limit.ts). */
export interface AdmissionConfig {
  /** @default true */
  readonly enabled: boolean;
  /** Floor of the limit. @default 64 */
  readonly minConcurrent: number;
  /** Ceiling of the limit (raised to the floor when below it). @default 512 */
  readonly maxConcurrent: number;
  /** Requests that may wait; one more gets 503 OVERLOADED. @default 1024 */
  readonly maxQueued: number;
  /** Longest wait before 503 OVERLOADED. @default 2000 */
  readonly queueTimeoutMs: number;
  /** Event-loop utilisation at or above which the limit shrinks. @default 0.97 */
  readonly saturation: number;
}

/** Bounds of the node:http server: set at creation on ours (standalone, custom server), from the API route's first request under `next start` (README). */
export interface ServerConfig {
  /** Time to receive a request's headers (408 beyond). @default 10000 */
  readonly headersTimeoutMs: number;
  /** Time to receive a whole request, headers and body; answering is not counted (408 beyond). @default 30000 */
  readonly requestTimeoutMs: number;
  /** Idle time of a kept-alive connection between requests. @default 5000 */
  readonly keepAliveTimeoutMs: number;
  /** Open connections; the server closes any beyond at once. @default 10000 */
  readonly maxConnections: number;
}

export type { CallerKeys, JwsAlgorithm } from './caller-keys';

/** How callers' bearer tokens are verified (src/auth/caller.ts). */
export interface JwtConfig {
  /** JWT_SECRET (HS256, development and tests) or JWT_JWKS_URL (an identity provider's public keys). */
  readonly keys: CallerKeys;
  /** Accepted `alg` values; never `none`, never HMAC with a key set. @default ['RS256', 'ES256'] with a JWKS, ['HS256'] with a secret */
  readonly algorithms: readonly JwsAlgorithm[];
  /** @default 'bff-dev' */
  readonly issuer: string;
  /** @default 'bff-gateway' */
  readonly audience: string;
  /** Clock skew accepted on `exp`, `nbf` and `iat`. @default 30 */
  readonly clockToleranceSeconds: number;
  /** Oldest accepted token by its `iat`, which is then required. @default 86400 */
  readonly maxAgeSeconds: number;
}

export type PersistedOperationsMode = 'enforce' | 'audit' | 'off';

export interface LimitsConfig {
  /** `measure` only reports the shape, token and cost limits (size and batch limits always hold). @default 'enforce' */
  readonly mode: 'enforce' | 'measure';
  /** Deepest field nesting, a leaf being 0. @default 10 */
  readonly maxDepth: number;
  /** @default 15 */
  readonly maxAliases: number;
  /** @default 10 */
  readonly maxRootFields: number;
  /** @default 50 */
  readonly maxDirectives: number;
  /** Lexical tokens; the parser stops there. @default 3000 */
  readonly maxTokens: number;
  /** UTF-8 bytes of the document, checked before parsing (413). @default 32768 */
  readonly maxDocumentBytes: number;
  /** Static cost per the IBM cost directives. @default 5000 */
  readonly maxCost: number;
  /** Operations in one batched request (413 beyond); 0 refuses batches. @default 10 */
  readonly maxBatchOperations: number;
  /** Request body bytes (413 beyond). @default 1048576 */
  readonly maxRequestBodyBytes: number;
  /** Deepest nesting of objects and arrays in `variables` and `extensions` (400 beyond). @default 32 */
  readonly maxVariablesDepth: number;
  /** Values (entries and items at any depth) in `variables` and in `extensions` (400 beyond). @default 10000 */
  readonly maxVariablesValues: number;
}

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface ObservabilityConfig {
  /** Request lines, metrics and spans of GraphQL traffic; off only to measure their cost. @default true */
  readonly enabled: boolean;
  /** Field names (at any depth of a logged object) whose values become "[REDACTED]": customer PII. @default ['email', 'phone', 'address'] */
  readonly redactFields: readonly string[];
  /** Human-readable log lines (pino-pretty when installed). @default true in development only */
  readonly prettyLogs: boolean;
  /**
   * Which upstream attempts get a log line: every one, or only failures and retries. A line per
   * successful attempt cost ≈15% of single-entity throughput in the benchmark; the request line
   * already carries the call, attempt and retry counts. @default 'failed' in production, else 'all'
   */
  readonly logAttempts: 'all' | 'failed';
  readonly metrics: {
    /** Port of a separate listener that serves only `GET /metrics`. @default undefined (none) */
    readonly port: number | undefined;
    /** @default '127.0.0.1' */
    readonly host: string;
    /** Bearer token that opens `/api/metrics` on the main port. @default undefined (the route answers 404) */
    readonly token: string | undefined;
  };
  readonly tracing: {
    /** OTLP/HTTP base endpoint; traces go to `<endpoint>/v1/traces`. @default undefined (tracing off) */
    readonly otlpEndpoint: string | undefined;
    /** @default 'bff-gateway' */
    readonly serviceName: string;
  };
}

/** Redis topology: one server (REDIS_URL), a Cluster or a Sentinel-watched primary. */
export interface RedisConfig {
  /** Seed nodes of a Redis Cluster; empty: not a cluster. @default [] */
  readonly clusterNodes: readonly RedisNode[];
  /** Sentinels of a primary named `sentinelName`; empty: no Sentinel. @default [] */
  readonly sentinels: readonly RedisNode[];
  /** @default 'mymaster' */
  readonly sentinelName: string;
  /** Longest wait for one Redis call on the request path (then local state). @default 100 */
  readonly timeoutMs: number;
}

/** `ProviderName`: the registered providers' names (src/providers/registry.ts), one `providers` entry each. */
export interface GatewayConfig<ProviderName extends string = string> {
  readonly env: 'development' | 'production' | 'test';
  readonly isDev: boolean;
  readonly demo: boolean;
  readonly port: number;
  /** @default 'info' ('silent' under NODE_ENV=test) */
  readonly logLevel: LogLevel;
  /** Overall time budget of one GraphQL request; every upstream attempt fits inside. @default 10000 */
  readonly requestDeadlineMs: number;
  readonly server: ServerConfig;
  readonly shutdown: ShutdownConfig;
  readonly providers: { readonly [K in ProviderName]: ProviderConfig };
  readonly jwt: JwtConfig;
  readonly redisUrl: string | undefined;
  /** How to reach Redis beyond REDIS_URL (Cluster or Sentinel), and how long the request path waits for it. */
  readonly redis: RedisConfig;
  readonly persistedOperations: {
    /** @default 'enforce' in production, 'off' in development and test */
    readonly mode: PersistedOperationsMode;
    readonly bypassSecret: string | undefined;
    /** Folder of operations/, manifest.json and released/*.json, relative to the working directory. @default 'persisted-queries' */
    readonly dir: string;
  };
  /** Edge limits on every operation (persisted ones included) and on the HTTP request. */
  readonly limits: LimitsConfig;
  /** TRUSTED_PROXIES: peers whose x-forwarded-for entries are believed. @default [] (the socket peer is the client) */
  readonly trustedProxies: readonly TrustedProxy[];
  /** CORS_ORIGINS: exact browser origins allowed cross-origin, with credentials. @default [] in production, http://localhost:3000 and http://127.0.0.1:3000 otherwise */
  readonly corsOrigins: readonly string[];
  /** Prefix of every Redis key we write; instances sharing it share rate limits and cache. @default 'bff:' */
  readonly redisKeyPrefix: string;
  readonly rateLimit: RateLimitConfig;
  readonly responseCache: ResponseCacheConfig;
  readonly cacheEvents: CacheEventsConfig;
  readonly admission: AdmissionConfig;
  /** Keep V8's allocation-site pretenuring (src/server/node-options.ts); the gateway turns it off otherwise. @default false */
  readonly v8Pretenuring: boolean;
  readonly observability: ObservabilityConfig;
  /** GRAPHIQL_TOKEN: the bearer token prefilled in every GraphiQL tab; always undefined in production. @default undefined */
  readonly graphiqlToken: string | undefined;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

function providerConfig(env: GatewayEnv, name: string, settings: ProviderSettings): ProviderConfig {
  const rateLimit = settings.rateLimit ?? { ratePerSecond: env.UPSTREAM_RATE_PER_SECOND, burst: env.UPSTREAM_BURST };
  return {
    name,
    baseUrl: settings.baseUrl,
    auth: settings.auth,
    attemptTimeoutMs: env.UPSTREAM_ATTEMPT_TIMEOUT_MS,
    maxRetries: env.UPSTREAM_MAX_RETRIES,
    maxBatchSize: settings.maxBatchSize,
    rateLimit: env.UPSTREAM_RATE_PER_SECOND > 0 ? rateLimit : undefined,
    maxConcurrent: env.UPSTREAM_MAX_CONCURRENT,
    webhookSecrets: (settings.webhookSecrets ?? []).filter((secret): secret is string => secret !== undefined && secret !== ''),
  };
}

/** The configuration of `env` with one `providers` entry per provider settings, by name. */
export function buildConfigWith<ProviderName extends string>(env: GatewayEnv, providers: { readonly [K in ProviderName]: ProviderSettings }): GatewayConfig<ProviderName> {
  const settings: Readonly<Record<string, ProviderSettings>> = providers;
  // Object.fromEntries forgets the keys; they are exactly those of `providers`.
  const providerConfigs = Object.fromEntries(Object.entries(settings).map(([name, s]) => [name, providerConfig(env, name, s)])) as GatewayConfig<ProviderName>['providers'];
  return deepFreeze<GatewayConfig<ProviderName>>({
    env: env.NODE_ENV,
    isDev: env.NODE_ENV !== 'production',
    demo: env.DEMO,
    port: env.PORT,
    logLevel: env.LOG_LEVEL ?? (env.NODE_ENV === 'test' ? 'silent' : 'info'),
    requestDeadlineMs: env.REQUEST_DEADLINE_MS,
    server: {
      headersTimeoutMs: env.SERVER_HEADERS_TIMEOUT_MS,
      requestTimeoutMs: env.SERVER_REQUEST_TIMEOUT_MS,
      keepAliveTimeoutMs: env.SERVER_KEEP_ALIVE_TIMEOUT_MS,
      maxConnections: env.SERVER_MAX_CONNECTIONS,
    },
    shutdown: {
      // Production sits behind a load balancer that needs a few seconds to stop routing here; nothing else does.
      drainMs: env.SHUTDOWN_DRAIN_MS ?? (env.NODE_ENV === 'production' && !env.DEMO ? 5000 : 0),
      timeoutMs: env.SHUTDOWN_TIMEOUT_MS,
    },
    providers: providerConfigs,
    jwt: {
      ...callerKeysOf(env),
      issuer: env.JWT_ISSUER,
      audience: env.JWT_AUDIENCE,
      clockToleranceSeconds: env.JWT_CLOCK_TOLERANCE_SECONDS,
      maxAgeSeconds: env.JWT_MAX_AGE_SECONDS,
    },
    redisUrl: env.REDIS_URL,
    redis: {
      clusterNodes: env.REDIS_CLUSTER_NODES,
      sentinels: env.REDIS_SENTINELS,
      sentinelName: env.REDIS_SENTINEL_NAME,
      timeoutMs: env.REDIS_TIMEOUT_MS,
    },
    persistedOperations: {
      mode: env.PERSISTED_OPERATIONS ?? (env.NODE_ENV === 'production' ? 'enforce' : 'off'),
      bypassSecret: env.PERSISTED_OPERATIONS_BYPASS_SECRET,
      dir: env.PERSISTED_QUERIES_DIR,
    },
    limits: {
      mode: env.LIMITS_MODE,
      maxDepth: env.LIMIT_DEPTH,
      maxAliases: env.LIMIT_ALIASES,
      maxRootFields: env.LIMIT_ROOT_FIELDS,
      maxDirectives: env.LIMIT_DIRECTIVES,
      maxTokens: env.LIMIT_TOKENS,
      maxDocumentBytes: env.LIMIT_DOCUMENT_BYTES,
      maxCost: env.LIMIT_COST,
      maxBatchOperations: env.LIMIT_BATCH,
      maxRequestBodyBytes: env.LIMIT_BODY_BYTES,
      maxVariablesDepth: env.LIMIT_VARIABLES_DEPTH,
      maxVariablesValues: env.LIMIT_VARIABLES_VALUES,
    },
    trustedProxies: env.TRUSTED_PROXIES,
    corsOrigins: env.CORS_ORIGINS ?? (env.NODE_ENV === 'production' ? [] : DEV_CORS_ORIGINS),
    redisKeyPrefix: env.REDIS_KEY_PREFIX,
    rateLimit: {
      windowSeconds: env.RATE_LIMIT_WINDOW_SECONDS,
      requestsPerWindow: env.RATE_LIMIT_REQUESTS_PER_WINDOW ?? (env.NODE_ENV === 'test' ? 0 : 600),
      costPerWindow: env.RATE_LIMIT_COST_PER_WINDOW ?? (env.NODE_ENV === 'test' ? 0 : 50_000),
      burstRequests: env.RATE_LIMIT_BURST_REQUESTS ?? (env.NODE_ENV === 'test' ? 0 : 60),
      burstSeconds: env.RATE_LIMIT_BURST_SECONDS,
      leaseFraction: env.RATE_LIMIT_LEASE_FRACTION,
    },
    v8Pretenuring: env.V8_PRETENURING,
    graphiqlToken: env.NODE_ENV === 'production' ? undefined : env.GRAPHIQL_TOKEN,
    admission: {
      enabled: env.ADMISSION_CONTROL,
      minConcurrent: env.ADMISSION_MIN_CONCURRENT,
      maxConcurrent: env.ADMISSION_MAX_CONCURRENT,
      maxQueued: env.ADMISSION_MAX_QUEUED,
      queueTimeoutMs: env.ADMISSION_QUEUE_TIMEOUT_MS,
      saturation: env.ADMISSION_SATURATION,
    },
    responseCache: {
      enabled: env.RESPONSE_CACHE ?? env.NODE_ENV !== 'test',
      maxEntries: env.RESPONSE_CACHE_MAX_ENTRIES,
      earlyHit: env.RESPONSE_CACHE_EARLY_HIT,
      staleWhileRevalidateSeconds: env.RESPONSE_CACHE_STALE_WHILE_REVALIDATE,
    },
    cacheEvents: {
      adminToken: env.CACHE_ADMIN_TOKEN,
      purgeUrl: env.CACHE_PURGE_URL,
      purgeToken: env.CACHE_PURGE_TOKEN,
      maxBodyBytes: env.WEBHOOK_MAX_BODY_BYTES,
      toleranceSeconds: env.WEBHOOK_TOLERANCE_SECONDS,
    },
    observability: {
      enabled: env.OBSERVABILITY,
      redactFields: env.LOG_REDACT_FIELDS.split(',').map((f) => f.trim()).filter(Boolean),
      prettyLogs: env.NODE_ENV === 'development',
      logAttempts: env.LOG_UPSTREAM_ATTEMPTS ?? (env.NODE_ENV === 'production' ? 'failed' : 'all'),
      metrics: { port: env.METRICS_PORT, host: env.METRICS_HOST, token: env.METRICS_TOKEN },
      tracing: { otlpEndpoint: env.OTEL_EXPORTER_OTLP_ENDPOINT, serviceName: env.OTEL_SERVICE_NAME },
    },
  });
}
