// The response cache's store in Redis, shared by every gateway instance on the same key prefix.
// Our own (about the size of @envelop/response-cache-redis) because that package pins
// @envelop/response-cache@8 and ioredis@5 (a second copy of each) and finds the entities of a type
// with KEYS, which blocks Redis; here a set per type and per entity tracks the responses instead.
import type { Cache, CacheEntityRecord } from '@envelop/response-cache';
import type { ExecutionResult } from 'graphql';
import type { Redis } from 'ioredis';

export interface RedisResponseCacheOptions {
  /** @default 'bff:' */
  readonly keyPrefix?: string;
}

function isExecutionResult(value: unknown): value is ExecutionResult {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// An unbounded TTL (no @cacheControl maxAge anywhere and an infinite default) still expires in Redis.
const MAX_TTL_MS = 24 * 60 * 60 * 1000;

export function createRedisResponseCache(redis: Redis, options: RedisResponseCacheOptions = {}): Cache {
  const prefix = `${options.keyPrefix ?? 'bff:'}rc:`;
  const responseKey = (id: string) => `${prefix}r:${id}`;
  const entityKey = (typename: string, id?: string | number) => `${prefix}e:${typename}${id === undefined ? '' : `:${id}`}`;

  return {
    async set(id, data, entities, ttl) {
      if (!(ttl > 0)) return;
      const px = Math.ceil(Math.min(ttl, MAX_TTL_MS));
      const pipeline = redis.multi().set(responseKey(id), JSON.stringify(data), 'PX', px);
      const sets = new Set<string>();
      for (const { typename, id: entityId } of entities) {
        sets.add(entityKey(typename));
        if (entityId !== undefined) sets.add(entityKey(typename, entityId));
      }
      for (const key of sets) {
        // A set lives as long as its longest-lived response: NX gives a new set its TTL, GT only
        // ever lengthens an existing one.
        pipeline.sadd(key, id).pexpire(key, px, 'NX').pexpire(key, px, 'GT');
      }
      await pipeline.exec();
    },
    async get(id) {
      const raw = await redis.get(responseKey(id));
      if (raw === null) return undefined;
      const parsed: unknown = JSON.parse(raw);
      return isExecutionResult(parsed) ? parsed : undefined;
    },
    async invalidate(entities: Iterable<CacheEntityRecord>) {
      const keys = [...new Set([...entities].map(({ typename, id }) => entityKey(typename, id ?? undefined)))];
      if (keys.length === 0) return;
      const responseIds = new Set((await Promise.all(keys.map((key) => redis.smembers(key)))).flat());
      const doomed = [...keys, ...[...responseIds].map(responseKey)];
      await redis.del(...doomed);
    },
  };
}
