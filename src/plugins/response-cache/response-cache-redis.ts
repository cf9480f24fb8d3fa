// The response cache's store in Redis, shared by every gateway instance on the same key prefix.
// Our own (about the size of @envelop/response-cache-redis) because that package pins
// @envelop/response-cache@8 and ioredis@5 (a second copy of each) and finds the entities of a type
// with KEYS, which blocks Redis; here a tag set per type and per entity tracks the responses instead.
//
// A tag set is a sorted set scored by each member's expiry time: every write of a tag drops the
// members whose entry has expired, so a set holds the entries still alive (plus, until they expire,
// those an invalidation of another tag deleted), however long traffic goes on. Plain sets whose
// TTL every write extended kept the ids of expired entries for as long as the tag was written.
import type { Cache, CacheEntityRecord } from '@envelop/response-cache';
import type { ExecutionResult } from 'graphql';
import type { Redis } from 'ioredis';

export interface RedisResponseCacheOptions {
  /** @default 'bff:' */
  readonly keyPrefix?: string;
  /** The clock tag-set members are scored by (their entry's expiry time); tests move it. @default Date.now */
  readonly now?: (() => number) | undefined;
}

function isExecutionResult(value: unknown): value is ExecutionResult {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// An unbounded TTL (no @cacheControl maxAge anywhere and an infinite default) still expires in Redis.
const MAX_TTL_MS = 24 * 60 * 60 * 1000;

/** The first error of a MULTI's replies (EXEC resolves even when a command in it failed). */
function firstError(replies: [Error | null, unknown][] | null): Error | undefined {
  if (replies === null) return new Error('response cache write aborted (EXEC returned null)');
  return replies.find(([error]) => error !== null)?.[0] ?? undefined;
}

export function createRedisResponseCache(redis: Redis, options: RedisResponseCacheOptions = {}): Cache {
  const prefix = `${options.keyPrefix ?? 'bff:'}rc:`;
  const now = options.now ?? Date.now;
  const responseKey = (id: string) => `${prefix}r:${id}`;
  const tagKey = (typename: string, id?: string | number) => `${prefix}t:${typename}${id === undefined ? '' : `:${id}`}`;
  // The previous release's plain sets (`e:` instead of `t:`): still read on invalidation, so that the
  // entries it tagged drop too while they live (at most MAX_TTL_MS after the upgrade; then remove).
  const legacyKey = (key: string) => `${prefix}e:${key.slice(prefix.length + 2)}`;

  return {
    async set(id, data, entities, ttl) {
      if (!(ttl > 0)) return;
      const px = Math.ceil(Math.min(ttl, MAX_TTL_MS));
      const at = now();
      const multi = redis.multi().set(responseKey(id), JSON.stringify(data), 'PX', px);
      const tags = new Set<string>();
      for (const { typename, id: entityId } of entities) {
        tags.add(tagKey(typename));
        if (entityId !== undefined) tags.add(tagKey(typename, entityId));
      }
      for (const key of tags) {
        // The set lives as long as its longest-lived member: NX gives a new set its TTL, GT only
        // lengthens an existing one to this member's expiry, never past it.
        multi.zadd(key, at + px, id).zremrangebyscore(key, '-inf', at).pexpire(key, px, 'NX').pexpire(key, px, 'GT');
      }
      try {
        const error = firstError(await multi.exec());
        if (error) throw error;
      } catch (error) {
        // An entry whose tags were not all written could never be invalidated for its whole TTL: drop it.
        await redis.del(responseKey(id)).catch(() => undefined);
        throw error;
      }
    },
    async get(id) {
      const raw = await redis.get(responseKey(id));
      if (raw === null) return undefined;
      const parsed: unknown = JSON.parse(raw);
      return isExecutionResult(parsed) ? parsed : undefined;
    },
    async invalidate(entities: Iterable<CacheEntityRecord>) {
      const keys = [...new Set([...entities].map(({ typename, id }) => tagKey(typename, id ?? undefined)))];
      if (keys.length === 0) return;
      const legacy = keys.map(legacyKey);
      // Every member, expired or not: deleting an expired entry is a no-op, and another instance's
      // clock may be behind ours.
      const read = redis.pipeline();
      for (const key of keys) read.zrange(key, '0', '-1');
      for (const key of legacy) read.smembers(key);
      const replies = (await read.exec()) ?? [];
      const tagKeys = [...keys, ...legacy];
      // A tag that could not be read keeps its set (the only list of its entries); the others are still dropped.
      const readKeys = tagKeys.filter((_, i) => replies[i]?.[0] === null);
      const responseIds = new Set(replies.flatMap(([error, members]) => (error === null && Array.isArray(members) ? members.map(String) : [])));
      if (readKeys.length > 0) await redis.del(...readKeys, ...[...responseIds].map(responseKey));
      const error = replies.length < tagKeys.length ? new Error('response cache invalidation: tag read aborted') : firstError(replies);
      if (error) throw error;
    },
  };
}
