// createGateway: the wiring of one gateway process. Provider clients are built once per process
// here; loaders once per request (in yoga.ts). Everything is closed by `close()`.
import type { GatewayConfig, ProviderConfig, ProviderName } from '../config';
import { createProviderClient } from '../http/client';
import type { Clock } from '../http/clock';
import type { ProviderClientOptions } from '../http/options';
import type { ProviderHttpClient } from '../http/types';
import { createProviders, type Providers } from '../providers';
import { createCallerVerifier } from './caller';
import { createYogaServer, type GatewayYoga } from './yoga';

export interface GatewayOptions {
  /** Source of time for deadlines, backoff and token expiry (tests pass a manual clock). */
  readonly clock?: Clock;
  /** Per-provider overrides of the HTTP client options (tests tighten timeouts, benchmarks lift limits). */
  readonly http?: Partial<Record<ProviderName, Partial<ProviderClientOptions>>>;
}

export interface Gateway extends AsyncDisposable {
  readonly config: GatewayConfig;
  readonly yoga: GatewayYoga;
  readonly providers: Providers;
  readonly http: { readonly [K in ProviderName]: ProviderHttpClient };
  close(): Promise<void>;
}

function httpOptions(provider: ProviderConfig, options: GatewayOptions): ProviderClientOptions {
  return {
    name: provider.name,
    baseUrl: provider.baseUrl,
    auth: provider.auth,
    timeouts: { attemptMs: provider.attemptTimeoutMs },
    retry: { maxRetries: provider.maxRetries },
    rateLimit: provider.rateLimit,
    maxConcurrent: provider.maxConcurrent,
    ...(options.clock ? { clock: options.clock } : {}),
    ...options.http?.[provider.name],
  };
}

export function createGateway(config: GatewayConfig, options: GatewayOptions = {}): Gateway {
  const make = (name: ProviderName) => createProviderClient(httpOptions(config.providers[name], options));
  const http = { orders: make('orders'), catalog: make('catalog'), accounts: make('accounts'), reviews: make('reviews') };
  const providers = createProviders(http);
  const verifyCaller = createCallerVerifier(config.jwt);
  const clock = options.clock;
  const yoga = createYogaServer({ config, providers, verifyCaller, ...(clock ? { now: () => clock.now() } : {}) });
  const close = async () => {
    await Promise.all(Object.values(http).map((client) => client.close()));
  };
  return { config, yoga, providers, http, close, [Symbol.asyncDispose]: close };
}
