// A complete environment with production-looking (not demo) secrets, for tests of the config itself.
export const VALID_ENV: Readonly<Record<string, string>> = Object.freeze({
  ORDERS_URL: 'http://127.0.0.1:1',
  ORDERS_TOKEN_URL: 'http://127.0.0.1:2/oauth/token',
  ORDERS_CLIENT_ID: 'client',
  ORDERS_CLIENT_SECRET: 'prod-secret-123',
  CATALOG_URL: 'http://127.0.0.1:3',
  CATALOG_API_KEY: 'prod-key-12345',
  ACCOUNTS_URL: 'http://127.0.0.1:4',
  ACCOUNTS_TOKEN: 'prod-token-123',
  REVIEWS_URL: 'http://127.0.0.1:5',
  REVIEWS_TOKEN: 'prod-token-456',
  JWT_SECRET: 'a-production-secret-of-at-least-32-chars!',
});
