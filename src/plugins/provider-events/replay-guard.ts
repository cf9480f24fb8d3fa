// Event ids already processed, so that a provider's redelivery (it retries until it sees a 2xx)
// changes nothing twice: in Redis when configured (SET NX PX: one instance wins, whichever got the
// delivery), else in a bounded LRU (lru-cache) of this process. A claim is held briefly
// (`claimMs`) while its work runs and kept for the whole window only once `confirm`ed, so that a
// process dying in between does not make the provider's retries "replayed" for a day.
import { LRUCache } from 'lru-cache';
import type { Cluster, Redis } from 'ioredis';

export interface ReplayGuard {
  /** True for the first claim of this provider's event id within the window; false when it was seen. */
  claim(provider: string, eventId: string): Promise<boolean>;
  /** Keeps a claim whose work succeeded for the whole window. */
  confirm(provider: string, eventId: string): Promise<void>;
  /** Forgets a claim whose work failed, so that the provider's retry is processed. */
  release(provider: string, eventId: string): Promise<void>;
}

export interface ReplayGuardOptions {
  readonly redis?: Redis | Cluster | undefined;
  /** @default 'bff:' */
  readonly keyPrefix?: string;
  /** How long an id is remembered: longer than any sender's retry schedule. @default 86400000 (24 h) */
  readonly windowMs?: number;
  /** How long an unconfirmed claim holds: longer than one event's work, far shorter than the window. @default 60000 */
  readonly claimMs?: number;
  /** Ids kept in memory without Redis (the oldest are forgotten first). @default 10000 */
  readonly maxIds?: number;
}

export function createReplayGuard(options: ReplayGuardOptions = {}): ReplayGuard {
  const windowMs = options.windowMs ?? 86_400_000;
  const claimMs = Math.min(options.claimMs ?? 60_000, windowMs);
  const { redis } = options;
  if (redis !== undefined) {
    const key = (provider: string, id: string) => `${options.keyPrefix ?? 'bff:'}evt:${provider}:${id}`;
    return {
      claim: async (provider, id) => (await redis.set(key(provider, id), '1', 'PX', claimMs, 'NX')) === 'OK',
      confirm: async (provider, id) => {
        await redis.pexpire(key(provider, id), windowMs);
      },
      release: async (provider, id) => {
        await redis.del(key(provider, id));
      },
    };
  }
  const seen = new LRUCache<string, true>({ max: options.maxIds ?? 10_000, ttl: windowMs });
  const key = (provider: string, id: string) => `${provider}\n${id}`;
  return {
    claim: (provider, id) => {
      if (seen.has(key(provider, id))) return Promise.resolve(false);
      seen.set(key(provider, id), true, { ttl: claimMs });
      return Promise.resolve(true);
    },
    confirm: (provider, id) => {
      seen.set(key(provider, id), true);
      return Promise.resolve();
    },
    release: (provider, id) => {
      seen.delete(key(provider, id));
      return Promise.resolve();
    },
  };
}
