// The store behind the response cache, as the plugin sees it: memory or Redis underneath, plus
// four duties of ours: tag a caller's PRIVATE entries so that its mutations can drop them, never
// store an anonymous caller's private answer, never fail a request because the store did (a store
// error is a miss), and never store an answer made from data read before an invalidation of one of
// its tags (each invalidation leaves a per-tag marker with its time; a write whose request started
// at or before it is skipped: atomically in Redis, response-cache-redis.ts). Reads wait for this
// instance's invalidations in flight, so that a caller reads its own writes, at most `readWaitMs`.
import type { CacheEntityRecord } from '@envelop/response-cache';
import { createInMemoryCache, type Cache } from '@graphql-yoga/plugin-response-cache';
import type { ExecutionResult } from 'graphql';
import type { Cluster, Redis } from 'ioredis';
import { LRUCache } from 'lru-cache';
import { CALLER_ENTITY, callerTag, callerTagOfKey, isStorableKey } from './response-cache-key';
import { createRedisResponseCache, DEFAULT_MARKER_TTL_MS, type CacheCallGuard } from './response-cache-redis';

/** What an invalidation that must not fail silently drops (the provider events' invalidator). */
export interface DropTarget {
  readonly entities: readonly CacheEntityRecord[];
  /** JWT subjects whose PRIVATE entries drop. */
  readonly callers: readonly string[];
}

export interface GatewayCache extends Cache {
  /** `startedAt` (cacheClock()): when the request that made `data` started; unknown: no marker can refuse the write. */
  set(id: string, data: ExecutionResult, entities: Iterable<CacheEntityRecord>, ttl: number, startedAt?: number): Promise<void> | void;
  /** Drops every PRIVATE entry of this caller (a store error is reported, never thrown: mutations call it). */
  invalidateCaller(sessionId: string): Promise<void>;
  /** Like invalidate and invalidateCaller together, but rejects when the store failed, so that the caller can answer "retry". */
  drop(target: DropTarget): Promise<void>;
}

export interface GatewayCacheOptions {
  readonly redis?: Redis | Cluster | undefined;
  /** @default 'bff:' */
  readonly keyPrefix?: string;
  /** Redis Cluster: hash-tag the cache's keys into one slot (response-cache-redis.ts). @default false */
  readonly hashTag?: boolean;
  /** Timeout and breaker around Redis reads and writes (src/server/redis-guard.ts). @default none */
  readonly guard?: CacheCallGuard | undefined;
  /** In-memory store only: an LRU, whose evictions also drop the entry from the tag maps. @default 10000 */
  readonly maxEntries?: number;
  /**
   * Longest wait of a read for this instance's invalidations in flight (REDIS_TIMEOUT_MS); past it
   * the read is a miss (the invalidation's markers keep its answer from overwriting fresher data). @default 100
   */
  readonly readWaitMs?: number;
  /** In-memory store only: tags whose last invalidation time is kept (the oldest are forgotten first). @default 10000 */
  readonly maxMarkers?: number;
  /**
   * How long an invalidation's marker lives (see response-cache-redis.ts): longer than any request,
   * e.g. a few times REQUEST_DEADLINE_MS. @default 600000
   */
  readonly markerTtlMs?: number;
  /** Store failures (logged by the caller; the request goes on as a miss). */
  readonly onStoreError?: (error: unknown, operation: 'get' | 'set' | 'invalidate') => void;
}

/** The clock of request starts and invalidation markers: wall time in milliseconds, sub-millisecond. */
export function cacheClock(): number {
  return performance.timeOrigin + performance.now();
}


/** The in-memory store with the markers of response-cache-redis.ts, in a bounded map of this process. */
function createMemoryStore(maxEntries: number, maxMarkers: number, markerTtlMs: number) {
  const store = createInMemoryCache({ max: maxEntries });
  const markers = new LRUCache<string, number>({ max: maxMarkers, ttl: markerTtlMs });
  const tagsOf = (entities: Iterable<CacheEntityRecord>) => [...entities].flatMap(({ typename, id }) => (id === undefined || id === null ? [typename] : [typename, `${typename}:${id}`]));
  return {
    get: (id: string) => store.get(id),
    set(id: string, data: ExecutionResult, entities: Iterable<CacheEntityRecord>, ttl: number, startedAt?: number) {
      const list = [...entities];
      if (startedAt !== undefined && tagsOf(list).some((tag) => (markers.get(tag) ?? -Infinity) >= startedAt)) return;
      return store.set(id, data, list, ttl);
    },
    invalidate(entities: Iterable<CacheEntityRecord>, at: number) {
      const list = [...entities];
      for (const { typename, id } of list) markers.set(id === undefined || id === null ? typename : `${typename}:${id}`, at);
      return store.invalidate(list);
    },
  };
}

export function createGatewayCache(options: GatewayCacheOptions = {}): GatewayCache {
  const store = options.redis
    ? createRedisResponseCache(options.redis, { keyPrefix: options.keyPrefix ?? 'bff:', hashTag: options.hashTag ?? false, guard: options.guard, markerTtlMs: options.markerTtlMs })
    : createMemoryStore(options.maxEntries ?? 10_000, options.maxMarkers ?? 10_000, options.markerTtlMs ?? DEFAULT_MARKER_TTL_MS);
  const report = options.onStoreError ?? (() => undefined);
  const readWaitMs = options.readWaitMs ?? 100;
  const pending = new Set<Promise<void>>();

  /** Runs an invalidation, tracked so that reads wait for it; the promise returned rejects when the store failed. */
  function track(work: () => unknown): Promise<void> {
    const done = Promise.resolve().then(work).then(() => undefined);
    const settled = done.then(
      () => undefined,
      () => undefined,
    );
    pending.add(settled);
    void settled.finally(() => pending.delete(settled));
    return done;
  }

  /** Reported, never thrown: for the callers that must not fail (mutations, envelop's own invalidation). */
  const reported = (work: Promise<void>) => work.catch((error: unknown) => report(error, 'invalidate'));

  /** Waits for this instance's invalidations in flight, at most readWaitMs (false then): a hung Redis must not hold every read. */
  async function awaitPending(): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), readWaitMs);
    });
    try {
      return await Promise.race([Promise.all(pending).then(() => true), bound]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * A mutation's own invalidation holds its answer at most readWaitMs (REDIS_TIMEOUT_MS), like a read:
   * past it the work goes on, tracked, so this instance's reads still wait for it (then miss).
   */
  async function withinReadWait(work: Promise<void>): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, readWaitMs);
    });
    try {
      await Promise.race([work, bound]);
    } finally {
      clearTimeout(timer);
    }
  }

  const dropEntities = (entities: readonly CacheEntityRecord[]) => {
    const at = cacheClock();
    return track(() => store.invalidate(entities, at));
  };

  const cache: GatewayCache = {
    async get(id) {
      // Never written (anonymous private, uncacheable): not worth a Redis round trip.
      if (!isStorableKey(id)) return undefined;
      // Still in flight past the bound: a miss, since a read now could return the very entry being
      // dropped (the caller would not read its own write); the provider answers instead.
      if (pending.size > 0 && !(await awaitPending())) return undefined;
      try {
        return await store.get(id);
      } catch (error) {
        report(error, 'get');
        return undefined;
      }
    },
    async set(id, data, entities, ttl, startedAt) {
      if (!isStorableKey(id)) return;
      const tag = callerTagOfKey(id);
      const tagged = tag ? [...entities, { typename: CALLER_ENTITY, id: tag }] : entities;
      try {
        await store.set(id, data, tagged, ttl, startedAt);
      } catch (error) {
        report(error, 'set');
      }
    },
    invalidate(entities) {
      return withinReadWait(reported(dropEntities([...entities])));
    },
    invalidateCaller(sessionId) {
      return withinReadWait(reported(dropEntities([{ typename: CALLER_ENTITY, id: callerTag(sessionId) }])));
    },
    async drop(target) {
      const entities = [...target.entities, ...target.callers.map((caller) => ({ typename: CALLER_ENTITY, id: callerTag(caller) }))];
      if (entities.length === 0) return;
      try {
        await dropEntities(entities);
      } catch (error) {
        report(error, 'invalidate');
        throw error;
      }
    },
  };
  return cache;
}
