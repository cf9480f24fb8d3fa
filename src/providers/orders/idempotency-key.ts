// The Idempotency-Key the orders provider receives: the client's key scoped to the customer. Every
// caller reaches orders through one OAuth client, so a bare client key would let one user claim
// another's key first (their checkout then fails with IDEMPOTENCY_KEY_REUSED) or replay it.
import { createHash } from 'node:crypto';

/**
 * sha256 (hex) of the customer id and the client key, JSON-encoded so that no two pairs share a text.
 * Not an HMAC: the goal is that customers' keys never collide, not secrecy (the provider sees the
 * customer and the body anyway), and a keyed hash would need a secret stable across instances and
 * restarts, whose rotation would turn every retry in flight into a second order.
 */
export function customerIdempotencyKey(customerId: string, clientKey: string): string {
  return createHash('sha256').update(JSON.stringify([customerId, clientKey])).digest('hex');
}
