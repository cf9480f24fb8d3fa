// The typed, frozen gateway configuration derived from the validated environment.
// Tests build configs with `buildConfig(parseEnv({...}))` instead of touching process.env.
import type { Env } from './env';

export type ProviderName = 'orders' | 'catalog' | 'accounts' | 'reviews';

export type ProviderAuthConfig =
  | { readonly kind: 'apiKey'; readonly header: string; readonly value: string }
  | { readonly kind: 'bearer'; readonly token: string }
  | { readonly kind: 'oauth2'; readonly tokenUrl: string; readonly clientId: string; readonly clientSecret: string; readonly scope: string };

export interface ProviderConfig {
  readonly name: ProviderName;
  readonly baseUrl: string;
  readonly auth: ProviderAuthConfig;
  /** Timeout of one attempt, capped by the request deadline. @default 3000 */
  readonly attemptTimeoutMs: number;
  /** @default 2 */
  readonly maxRetries: number;
  /** The provider's largest batch (ids per call); loaders chunk to it. */
  readonly maxBatchSize: number;
  /** Outbound token bucket: the provider's known rate. */
  readonly rateLimit: { readonly ratePerSecond: number; readonly burst: number };
  /** Most calls in flight at once toward this provider. @default 64 */
  readonly maxConcurrent: number;
}

export type PersistedOperationsMode = 'enforce' | 'audit' | 'off';

export interface GatewayConfig {
  readonly env: 'development' | 'production' | 'test';
  readonly isDev: boolean;
  readonly demo: boolean;
  readonly port: number;
  readonly logLevel: Env['LOG_LEVEL'];
  /** Overall time budget of one GraphQL request; every upstream attempt fits inside. @default 10000 */
  readonly requestDeadlineMs: number;
  readonly providers: { readonly [K in ProviderName]: ProviderConfig };
  readonly jwt: { readonly secret: string; readonly issuer: string; readonly audience: string };
  readonly redisUrl: string | undefined;
  readonly persistedOperations: {
    /** @default 'enforce' in production, 'off' in development and test */
    readonly mode: PersistedOperationsMode;
    readonly bypassSecret: string | undefined;
  };
  /** How many reverse proxies in front of us may append to x-forwarded-for. @default 0 */
  readonly trustedProxyHops: number;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

export function buildConfig(env: Env): GatewayConfig {
  const common = { attemptTimeoutMs: env.UPSTREAM_ATTEMPT_TIMEOUT_MS, maxRetries: env.UPSTREAM_MAX_RETRIES, maxConcurrent: 64 };
  return deepFreeze<GatewayConfig>({
    env: env.NODE_ENV,
    isDev: env.NODE_ENV !== 'production',
    demo: env.DEMO,
    port: env.PORT,
    logLevel: env.LOG_LEVEL,
    requestDeadlineMs: env.REQUEST_DEADLINE_MS,
    providers: {
      orders: {
        ...common,
        name: 'orders',
        baseUrl: env.ORDERS_URL,
        auth: { kind: 'oauth2', tokenUrl: env.ORDERS_TOKEN_URL, clientId: env.ORDERS_CLIENT_ID, clientSecret: env.ORDERS_CLIENT_SECRET, scope: 'read:orders write:orders' },
        maxBatchSize: 50,
        rateLimit: { ratePerSecond: 200, burst: 50 },
      },
      catalog: {
        ...common,
        name: 'catalog',
        baseUrl: env.CATALOG_URL,
        auth: { kind: 'apiKey', header: 'x-api-key', value: env.CATALOG_API_KEY },
        maxBatchSize: 50,
        rateLimit: { ratePerSecond: 200, burst: 50 },
      },
      accounts: {
        ...common,
        name: 'accounts',
        baseUrl: env.ACCOUNTS_URL,
        auth: { kind: 'bearer', token: env.ACCOUNTS_TOKEN },
        maxBatchSize: 100,
        rateLimit: { ratePerSecond: 200, burst: 50 },
      },
      reviews: {
        ...common,
        name: 'reviews',
        baseUrl: env.REVIEWS_URL,
        auth: { kind: 'bearer', token: env.REVIEWS_TOKEN },
        maxBatchSize: 100,
        rateLimit: { ratePerSecond: 200, burst: 50 },
      },
    },
    jwt: { secret: env.JWT_SECRET, issuer: env.JWT_ISSUER, audience: env.JWT_AUDIENCE },
    redisUrl: env.REDIS_URL,
    persistedOperations: {
      mode: env.PERSISTED_OPERATIONS ?? (env.NODE_ENV === 'production' ? 'enforce' : 'off'),
      bypassSecret: env.PERSISTED_OPERATIONS_BYPASS_SECRET,
    },
    trustedProxyHops: env.TRUSTED_PROXY_HOPS,
  });
}
