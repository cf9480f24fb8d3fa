// The providers' resilient HTTP clients, built from the gateway's config: one per provider, with its
// auth, timeouts, retries and throttles. The gateway builds its clients here, and so does
// `npm run providers:check`, so that the contract check calls the providers exactly as the runtime does.
import { createProviderClient, type ResilientHttpClient } from '../http/client';
import type { Clock } from '../http/clock';
import type { ProviderClientOptions } from '../http/options';
import { perProvider, type PerProvider, type ProviderName } from '../providers';
import type { GatewayConfig } from './config';

export interface ProviderHttpOptions {
  /** Source of time for deadlines, backoff and token expiry. @default the system clock */
  readonly clock?: Clock | undefined;
  /** Per-provider overrides of the HTTP client options. @default none */
  readonly http?: Partial<Record<ProviderName, Partial<ProviderClientOptions>>> | undefined;
  /** The outbound bucket and the OAuth token in Redis, shared by every instance. @default in memory */
  readonly shared?: ProviderClientOptions['shared'];
}

function httpOptions(name: ProviderName, config: GatewayConfig, options: ProviderHttpOptions): ProviderClientOptions {
  const provider = config.providers[name];
  return {
    // With REDIS_URL the outbound bucket and the OAuth token are shared by every instance.
    ...(options.shared ? { shared: options.shared } : {}),
    name: provider.name,
    baseUrl: provider.baseUrl,
    auth: provider.auth,
    timeouts: { attemptMs: provider.attemptTimeoutMs },
    retry: { maxRetries: provider.maxRetries },
    rateLimit: provider.rateLimit,
    maxConcurrent: provider.maxConcurrent,
    ...(options.clock ? { clock: options.clock } : {}),
    ...options.http?.[name],
  };
}

/** One resilient client per registered provider; the caller closes them. */
export function createProviderHttpClients(config: GatewayConfig, options: ProviderHttpOptions = {}): PerProvider<ResilientHttpClient> {
  return perProvider((name) => createProviderClient(httpOptions(name, config, options)));
}
