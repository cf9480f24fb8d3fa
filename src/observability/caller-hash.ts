// Caller ids in logs are keyed hashes: lines of one caller can be correlated, but an id cannot be
// read back (nor guessed by hashing candidate ids without the key).
import { createHmac } from 'node:crypto';

/** Distinct callers remembered; the cache is dropped whole when full (cheap, and bounded). */
const CACHE_LIMIT = 10_000;

export type CallerHasher = (callerId: string) => string;

/** `key` is a secret of the deployment (the JWT secret is used), never logged itself. */
export function createCallerHasher(key: string): CallerHasher {
  const derived = createHmac('sha256', key).update('bff:log:caller-id').digest();
  const cache = new Map<string, string>();
  return (callerId) => {
    let hashed = cache.get(callerId);
    if (hashed === undefined) {
      hashed = createHmac('sha256', derived).update(callerId).digest('base64url').slice(0, 16);
      if (cache.size >= CACHE_LIMIT) cache.clear();
      cache.set(callerId, hashed);
    }
    return hashed;
  };
}
