// Dev-only credentials the simulated providers demand; never used against a real service.

export const DEV_CREDENTIALS = Object.freeze({
  catalogApiKey: 'dev-catalog-key',
  accountsToken: 'dev-accounts-token',
  reviewsToken: 'dev-reviews-token',
  ordersClientId: 'dev-orders-client',
  ordersClientSecret: 'dev-orders-secret',
});

export type DevCredentials = typeof DEV_CREDENTIALS;

/** Scopes the auth provider grants to the orders client (and the orders provider checks). */
export const ORDER_SCOPES = Object.freeze({ read: 'read:orders', write: 'write:orders' });

/** Scopes a dev caller's token carries by default (HS256 dev tokens and the identity provider's); the schema's authorization names them. */
export const DEV_CALLER_SCOPES: readonly string[] = Object.freeze(['orders:read', 'orders:write', 'users:pii']);
