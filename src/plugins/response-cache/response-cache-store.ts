// The store behind the response cache, as the plugin sees it: memory or Redis underneath, plus
// three duties of ours: tag a caller's PRIVATE entries so that its mutations can drop them, never
// store an anonymous caller's private answer, and never fail a request because the store did
// (a store error is a miss). Reads wait for this instance's invalidations in flight, so that a
// caller reads its own writes.
import { createInMemoryCache, type Cache } from '@graphql-yoga/plugin-response-cache';
import type { Redis } from 'ioredis';
import { CALLER_ENTITY, callerTag, callerTagOfKey, isStorableKey } from './response-cache-key';
import { createRedisResponseCache } from './response-cache-redis';

export interface GatewayCache extends Cache {
  /** Drops every PRIVATE entry of this caller. */
  invalidateCaller(sessionId: string): Promise<void>;
}

export interface GatewayCacheOptions {
  readonly redis?: Redis | undefined;
  /** @default 'bff:' */
  readonly keyPrefix?: string;
  /** In-memory store only: an LRU, whose evictions also drop the entry from the tag maps. @default 10000 */
  readonly maxEntries?: number;
  /** Store failures (logged by the caller; the request goes on as a miss). */
  readonly onStoreError?: (error: unknown, operation: 'get' | 'set' | 'invalidate') => void;
}

export function createGatewayCache(options: GatewayCacheOptions = {}): GatewayCache {
  const store: Cache = options.redis
    ? createRedisResponseCache(options.redis, { keyPrefix: options.keyPrefix ?? 'bff:' })
    : createInMemoryCache({ max: options.maxEntries ?? 10_000 });
  const report = options.onStoreError ?? (() => undefined);
  const pending = new Set<Promise<void>>();

  function track(work: () => unknown): Promise<void> {
    const done = Promise.resolve()
      .then(work)
      .then(
        () => undefined,
        (error: unknown) => report(error, 'invalidate'),
      )
      .finally(() => pending.delete(done));
    pending.add(done);
    return done;
  }

  const cache: GatewayCache = {
    async get(id) {
      // Never written (anonymous private, uncacheable): not worth a Redis round trip.
      if (!isStorableKey(id)) return undefined;
      if (pending.size > 0) await Promise.all(pending);
      try {
        return await store.get(id);
      } catch (error) {
        report(error, 'get');
        return undefined;
      }
    },
    async set(id, data, entities, ttl) {
      if (!isStorableKey(id)) return;
      const tag = callerTagOfKey(id);
      const tagged = tag ? [...entities, { typename: CALLER_ENTITY, id: tag }] : entities;
      try {
        await store.set(id, data, tagged, ttl);
      } catch (error) {
        report(error, 'set');
      }
    },
    invalidate(entities) {
      const list = [...entities];
      return track(() => store.invalidate(list));
    },
    async invalidateCaller(sessionId) {
      const tag = callerTag(sessionId);
      return track(() => store.invalidate([{ typename: CALLER_ENTITY, id: tag }]));
    },
  };
  return cache;
}
