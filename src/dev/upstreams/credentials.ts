// The scopes of the demo world: those the auth simulator grants to the orders client, and those a
// dev caller's token carries. (Each simulator's dev secrets live in its own file.)

/** Scopes the auth provider grants to the orders client (and the orders provider checks). */
export const ORDER_SCOPES = Object.freeze({ read: 'read:orders', write: 'write:orders' });

/** Scopes a dev caller's token carries by default (HS256 dev tokens and the identity provider's); the schema's authorization names them. */
export const DEV_CALLER_SCOPES: readonly string[] = Object.freeze(['orders:read', 'orders:write', 'users:pii']);
