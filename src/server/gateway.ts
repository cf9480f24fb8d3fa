// createGateway: the wiring of one gateway process. Provider clients are built once per process
// here, the pipeline's services once (pipeline-services.ts), loaders once per request (in yoga.ts).
// Everything is closed by `close()`.
import type { Clock } from '../http/clock';
import type { ProviderClientOptions } from '../http/options';
import type { ProviderHttpClient } from '../http/types';
import { createHealth, type Health } from '../observability/health';
import { createTelemetry, type Telemetry, type TelemetryOptions } from '../observability/telemetry';
import { createProviders, perProvider, type PerProvider, type ProviderName, type Providers } from '../providers';
import { createCallerVerifier } from '../auth/caller';
import type { GatewayConfig } from './config';
import { closeRedis, createSharedRedis, redisConfigured, type SharedRedis } from './redis';
import { createRedisGuard } from './redis-guard';
import { applyRuntimeV8Flags } from './node-options';
import { attachCachedGetLane, createPipelineServices } from './pipeline-services';
import { createProviderHttpClients } from './provider-http';
import { createYogaServer, type GatewayYoga } from './yoga';

export interface GatewayOptions {
  /** Source of time for deadlines, backoff and token expiry (tests pass a manual clock). */
  readonly clock?: Clock;
  /** Per-provider overrides of the HTTP client options (tests tighten timeouts, benchmarks lift limits). */
  readonly http?: Partial<Record<ProviderName, Partial<ProviderClientOptions>>>;
  /** Estimated cost of a request's operation, spent from the caller's cost budget. @default the cost plugin's estimate, else 1 */
  readonly costOf?: (request: Request) => number | undefined;
  /** Logs, metrics and tracing injections (tests pass a log stream or an in-memory tracer provider). */
  readonly telemetry?: TelemetryOptions;
}

export interface Gateway extends AsyncDisposable {
  readonly config: GatewayConfig;
  readonly yoga: GatewayYoga;
  readonly providers: Providers;
  readonly http: PerProvider<ProviderHttpClient>;
  /** The process's Redis connection (REDIS_URL, a Cluster or Sentinel), closed by `close()`; undefined without one. */
  readonly redis: SharedRedis | undefined;
  /** Logger, metrics registry and tracer of this gateway. */
  readonly telemetry: Telemetry;
  /** Liveness and readiness replies (the Next route files and the node entry serve them). */
  readonly health: Health;
  /** Settles once every CDN purge call started so far has (provider events, the admin API); close() awaits it too. */
  purgesSettled(): Promise<void>;
  close(): Promise<void>;
}

export function createGateway(config: GatewayConfig, options: GatewayOptions = {}): Gateway {
  applyRuntimeV8Flags(config.v8Pretenuring);
  // One connection per process, shared by every user of Redis; none without REDIS_URL.
  const redis = redisConfigured(config.redisUrl, config.redis) ? createSharedRedis(config.redisUrl, config.redis) : undefined;
  // Every hot-path Redis call goes through it: a timeout and a breaker on Redis itself (redis-guard.ts).
  const redisGuard = redis ? createRedisGuard({ timeoutMs: config.redis.timeoutMs }) : undefined;
  const shared = redis ? { redis, keyPrefix: `${config.redisKeyPrefix}http:`, guard: redisGuard } : undefined;
  const telemetry = createTelemetry(config, options.telemetry);
  if (redis && redisGuard) telemetry.metrics.watchRedis(() => ({ ...redisGuard.stats(), up: redis.status === 'ready' }));
  // Instrumented: each call is attributed to its request (logs, metrics) and carries traceparent.
  const http = telemetry.instrumentClients(createProviderHttpClients(config, { clock: options.clock, http: options.http, shared }));
  const providers = telemetry.traceProviders(createProviders(http));
  telemetry.metrics.watchBreakers(() => perProvider((name) => http[name].breakerState()));
  const clock = options.clock;
  const verifyCaller = createCallerVerifier({
    ...config.jwt,
    ...(clock ? { now: () => clock.now() } : {}),
    // Tokens with keys in hand keep verifying; this line is how an operator learns the provider is unreachable.
    jwks: { onFetchError: (reason) => telemetry.logger.warn({ reason }, 'identity provider key set fetch failed') },
  });
  const health = createHealth({ breakers: () => Object.values(http).map((client) => client.breakerState()), redis });
  const { services, lane } = createPipelineServices(config, { providers, verifyCaller, redis, redisGuard, costOf: options.costOf, telemetry, health, ...(clock ? { now: () => clock.now() } : {}) });
  const yoga = createYogaServer(config, services);
  attachCachedGetLane(yoga, lane);
  const purgesSettled = () => services.providerEvents.invalidator.settled();
  const close = async () => {
    await yoga.dispose();
    // Purge calls still in flight are let finish (each bounded by the hook's timeout), so that an invalidation's CDN purge is not lost to a shutdown.
    await purgesSettled();
    await Promise.all(Object.values(http).map((client) => client.close()));
    if (redis) await closeRedis(redis);
    await telemetry.close();
  };
  return { config, yoga, providers, http, redis, telemetry, health, purgesSettled, close, [Symbol.asyncDispose]: close };
}
