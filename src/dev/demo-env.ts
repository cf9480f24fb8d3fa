// The environment that points a gateway at the simulated providers with their dev secrets.
import { DEV_JWT } from './dev-jwt';
import type { Upstreams } from './upstreams';

export function demoEnv(upstreams: Upstreams): Record<string, string> {
  const { urls, credentials } = upstreams;
  return {
    DEMO: '1',
    // The simulated providers serve thousands of calls per second; the demo bucket is set to match.
    UPSTREAM_RATE_PER_SECOND: '5000',
    UPSTREAM_BURST: '500',
    ORDERS_URL: urls.orders,
    ORDERS_TOKEN_URL: `${urls.auth}/oauth/token`,
    ORDERS_CLIENT_ID: credentials.ordersClientId,
    ORDERS_CLIENT_SECRET: credentials.ordersClientSecret,
    CATALOG_URL: urls.catalog,
    CATALOG_API_KEY: credentials.catalogApiKey,
    ACCOUNTS_URL: urls.accounts,
    ACCOUNTS_TOKEN: credentials.accountsToken,
    REVIEWS_URL: urls.reviews,
    REVIEWS_TOKEN: credentials.reviewsToken,
    JWT_SECRET: DEV_JWT.secret,
    JWT_ISSUER: DEV_JWT.issuer,
    JWT_AUDIENCE: DEV_JWT.audience,
  };
}
