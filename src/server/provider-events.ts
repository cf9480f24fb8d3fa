// The provider events' wiring: each registered provider that declares events (its events.ts) and has
// a webhook secret gets POST /api/webhooks/<name>; the admin endpoint, the replay guard (Redis when
// configured), the purge hook and the counters are built once per gateway here.
import type { SharedRedis } from './redis';
import type { Telemetry } from '../observability/telemetry';
import { createAdminInvalidateHandler } from '../plugins/provider-events/admin-invalidate';
import { createEventMetrics } from '../plugins/provider-events/event-metrics';
import { createInvalidator, type Invalidator } from '../plugins/provider-events/invalidator';
import { createPurgeHook } from '../plugins/provider-events/purge-hook';
import { createReplayGuard } from '../plugins/provider-events/replay-guard';
import type { ProviderEventsOptions } from '../plugins/provider-events/use-provider-events';
import { createWebhookHandler } from '../plugins/provider-events/webhook';
import type { GatewayCache } from '../plugins/response-cache/response-cache-store';
import { DEFINITIONS } from '../providers';
import type { GatewayConfig } from './config';

export interface ProviderEventsDependencies {
  readonly cache: GatewayCache;
  readonly redis: SharedRedis | undefined;
  readonly telemetry: Telemetry | undefined;
  /** Milliseconds; webhook timestamps are checked against it. */
  readonly now: () => number;
}

export interface ProviderEventsWiring extends ProviderEventsOptions {
  readonly invalidator: Invalidator;
}

export function createProviderEvents(config: GatewayConfig, deps: ProviderEventsDependencies): ProviderEventsWiring {
  const logger = deps.telemetry?.logger;
  const metrics = createEventMetrics(deps.telemetry?.metrics.registry);
  const { purgeUrl, purgeToken, adminToken } = config.cacheEvents;
  const purge = purgeUrl === undefined ? undefined : createPurgeHook({ url: purgeUrl, token: purgeToken });
  const invalidator = createInvalidator({ cache: deps.cache, metrics, logger, purge });
  const providers = DEFINITIONS.flatMap((definition) =>
    definition.events === undefined ? [] : [{ name: definition.name, secrets: config.providers[definition.name].webhookSecrets, events: definition.events }],
  );
  const webhook = createWebhookHandler({
    providers,
    maxBodyBytes: config.cacheEvents.maxBodyBytes,
    toleranceSeconds: config.cacheEvents.toleranceSeconds,
    now: deps.now,
    guard: createReplayGuard({ redis: deps.redis, keyPrefix: config.redisKeyPrefix }),
    invalidator,
    metrics,
    logger,
    isDev: config.isDev,
  });
  const admin = createAdminInvalidateHandler({ token: adminToken, invalidator, logger, isDev: config.isDev });
  return { webhook, admin, isDev: config.isDev, invalidator };
}
