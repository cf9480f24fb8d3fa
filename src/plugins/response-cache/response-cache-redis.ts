// The response cache's store in Redis, shared by every gateway instance on the same key prefix.
// Our own (about the size of @envelop/response-cache-redis) because that package pins
// @envelop/response-cache@8 and ioredis@5 (a second copy of each) and finds the entities of a type
// with KEYS, which blocks Redis; here a tag set per type and per entity tracks the responses instead.
//
// A tag set is a sorted set scored by each member's expiry time: every write of a tag drops the
// members whose entry has expired, so a set holds the entries still alive (plus, until they expire,
// those an invalidation of another tag deleted), however long traffic goes on. Plain sets whose
// TTL every write extended kept the ids of expired entries for as long as the tag was written.
import { createHash } from 'node:crypto';
import type { Cache, CacheEntityRecord } from '@envelop/response-cache';
import type { ExecutionResult } from 'graphql';
import type { Cluster, Redis } from 'ioredis';
import { LRUCache } from 'lru-cache';

/** The Redis store with the two extra arguments the gateway's store passes (response-cache-store.ts). */
export interface RedisResponseCache extends Cache {
  /** `startedAt`: when the request that made `data` started; the write is skipped when a tag of it was invalidated at or after that time. */
  set(id: string, data: ExecutionResult, entities: Iterable<CacheEntityRecord>, ttl: number, startedAt?: number): Promise<void>;
  /** `at`: the invalidation's time, kept per tag (a marker) so that a write started before it is refused. */
  invalidate(entities: Iterable<CacheEntityRecord>, at?: number): Promise<void>;
}

/** The guard of src/server/redis-guard.ts: a timeout and a breaker around each call. */
export interface CacheCallGuard {
  run<T>(op: () => Promise<T>): Promise<T>;
}

export interface RedisResponseCacheOptions {
  /** @default 'bff:' */
  readonly keyPrefix?: string;
  /**
   * Redis Cluster: every key of the cache gets the hash tag `{rc}`, so that an entry and its tag sets
   * (written in one MULTI) and an invalidation's reads share one slot. @default false
   */
  readonly hashTag?: boolean;
  /** Timeout and breaker around reads and writes (invalidations always go to Redis). @default none */
  readonly guard?: CacheCallGuard | undefined;
  /** Bytes of parsed answers kept so that an unchanged entry is not parsed again. @default 32 MiB */
  readonly memoBytes?: number;
  /** The clock tag-set members are scored by (their entry's expiry time); tests move it. @default Date.now */
  readonly now?: (() => number) | undefined;
  /**
   * How long an invalidation's marker lives: longer than any request (from its start to its cache
   * write) plus the clock skew between instances, or a late write of old data could land. @default 600000
   */
  readonly markerTtlMs?: number;
}

function isExecutionResult(value: unknown): value is ExecutionResult {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// A marker only has to outlive the requests that started before its invalidation (each bounded by
// its deadline) plus the instances' clock skew, not the entries: ten minutes by default.
export const DEFAULT_MARKER_TTL_MS = 10 * 60 * 1000;

// An unbounded TTL (no @cacheControl maxAge anywhere and an infinite default) still expires in Redis.
const MAX_TTL_MS = 24 * 60 * 60 * 1000;

/** The first error of a MULTI's replies (EXEC resolves even when a command in it failed). */
function firstError(replies: [Error | null, unknown][] | null): Error | undefined {
  if (replies === null) return new Error('response cache write aborted (EXEC returned null)');
  return replies.find(([error]) => error !== null)?.[0] ?? undefined;
}

// One script so that the check and the write are atomic: no invalidation can fall between them. KEYS:
// the entry, its n tag sets, their n markers (all `{rc}`-tagged on a Cluster: one slot). ARGV: the
// answer, its PX, now (the tag sets' scores), the request's start, the entry id, n. A marker at or
// after the start means the answer may hold data read before the invalidation: not written (0).
// Redis does not undo a script that fails half-way, so a tag that cannot be written (a key of another
// type) deletes the entry in the script itself: an entry is never left that its tags cannot invalidate.
const SET_SCRIPT = `
local n = tonumber(ARGV[6])
local startedAt = tonumber(ARGV[4])
for i = 1, n do
  local marker = redis.call('GET', KEYS[1 + n + i])
  if marker and tonumber(marker) >= startedAt then return 0 end
end
local px = tonumber(ARGV[2])
local at = tonumber(ARGV[3])
redis.call('SET', KEYS[1], ARGV[1], 'PX', px)
for i = 1, n do
  local key = KEYS[1 + i]
  local added = redis.pcall('ZADD', key, at + px, ARGV[5])
  if type(added) == 'table' and added.err then
    redis.call('DEL', KEYS[1])
    return redis.error_reply(added.err)
  end
  redis.call('ZREMRANGEBYSCORE', key, '-inf', at)
  redis.call('PEXPIRE', key, px, 'NX')
  redis.call('PEXPIRE', key, px, 'GT')
end
return 1
`;
const SET_SHA = createHash('sha1').update(SET_SCRIPT).digest('hex');

interface Parsed {
  readonly raw: Buffer;
  readonly result: ExecutionResult | undefined;
}

export function createRedisResponseCache(redis: Redis | Cluster, options: RedisResponseCacheOptions = {}): RedisResponseCache {
  const prefix = `${options.keyPrefix ?? 'bff:'}${options.hashTag === true ? '{rc}' : 'rc'}:`;
  const guard = options.guard ?? { run: <T>(op: () => Promise<T>) => op() };
  // The same bytes give back the same object: what is memoised per cached object downstream (the
  // early hit's encoded answer and ETag) then holds across reads, as with the in-memory store.
  const parsed = new LRUCache<string, Parsed>({ maxSize: options.memoBytes ?? 32 * 1024 * 1024, sizeCalculation: (p) => Math.max(1, p.raw.length * 2) });
  const now = options.now ?? Date.now;
  const markerTtlMs = options.markerTtlMs ?? DEFAULT_MARKER_TTL_MS;
  const responseKey = (id: string) => `${prefix}r:${id}`;
  const tagKey = (typename: string, id?: string | number) => `${prefix}t:${typename}${id === undefined ? '' : `:${id}`}`;
  // A tag's invalidation marker (its last invalidation's time), beside its set: `<prefix>{rc}:inv:Product:prod-1`.
  const markerKey = (key: string) => `${prefix}inv:${key.slice(prefix.length + 2)}`;
  // The previous release's plain sets (`e:` instead of `t:`): still read on invalidation, so that the
  // entries it tagged drop too while they live (at most MAX_TTL_MS after the upgrade; then remove).
  const legacyKey = (key: string) => `${prefix}e:${key.slice(prefix.length + 2)}`;

  // Reads of one key already in flight are joined (one GET for the many requests of a hot key), but
  // never across a write or invalidation of this instance: a read after one must see it.
  const reading = new Map<string, { readonly generation: number; readonly reply: Promise<ExecutionResult | undefined> }>();
  let generation = 0;

  const read = async (id: string): Promise<ExecutionResult | undefined> => {
    const raw = await guard.run(() => redis.getBuffer(responseKey(id)));
    if (raw === null) {
      parsed.delete(id);
      return undefined;
    }
    const known = parsed.get(id);
    if (known !== undefined && known.raw.equals(raw)) return known.result;
    const value: unknown = JSON.parse(raw.toString('utf8'));
    const result = isExecutionResult(value) ? value : undefined;
    parsed.set(id, { raw, result });
    return result;
  };

  async function dropTagged(keys: readonly string[], at: number): Promise<void> {
    const legacy = keys.map(legacyKey);
    // The markers first (one pipeline: Redis runs them before the reads), so that a write after the
    // deletion below sees them (set's script).
    const members = redis.pipeline();
    for (const key of keys) members.set(markerKey(key), String(at), 'PX', markerTtlMs);
    // Every member, expired or not: deleting an expired entry is a no-op, and another instance's
    // clock may be behind ours.
    for (const key of keys) members.zrange(key, '0', '-1');
    for (const key of legacy) members.smembers(key);
    const all = (await members.exec()) ?? [];
    const marked = all.slice(0, keys.length);
    const replies = all.slice(keys.length);
    const tagKeys = [...keys, ...legacy];
    // A tag that could not be read keeps its set (the only list of its entries); the others are still dropped.
    const readKeys = tagKeys.filter((_, i) => replies[i]?.[0] === null);
    const responseIds = new Set(replies.flatMap(([error, members]) => (error === null && Array.isArray(members) ? members.map(String) : [])));
    if (readKeys.length > 0) await redis.del(...readKeys, ...[...responseIds].map(responseKey));
    const error = all.length < keys.length + tagKeys.length ? new Error('response cache invalidation: tag read aborted') : (firstError(marked) ?? firstError(replies));
    if (error) throw error;
  }

  return {
    async set(id, data, entities, ttl, startedAt) {
      if (!(ttl > 0)) return;
      const px = Math.ceil(Math.min(ttl, MAX_TTL_MS));
      const at = now();
      const tags = new Set<string>();
      for (const { typename, id: entityId } of entities) {
        tags.add(tagKey(typename));
        if (entityId !== undefined) tags.add(tagKey(typename, entityId));
      }
      const keys = [responseKey(id), ...tags, ...[...tags].map(markerKey)];
      // The set lives as long as its longest-lived member: NX gives a new set its TTL, GT only
      // lengthens an existing one to this member's expiry, never past it. No start known: no marker can refuse it.
      const args = [JSON.stringify(data), px, at, startedAt ?? Number.MAX_VALUE, id, tags.size];
      generation++;
      try {
        await guard.run(async () => {
          try {
            return await redis.evalsha(SET_SHA, keys.length, ...keys, ...args);
          } catch (error) {
            if (error instanceof Error && error.message.startsWith('NOSCRIPT')) return redis.eval(SET_SCRIPT, keys.length, ...keys, ...args);
            throw error;
          }
        });
        // Nothing to undo on an error: the script deletes an entry whose tags failed. (A DEL sent
        // after a timeout would run after the queued, atomic script and drop a complete entry.)
      } finally {
        generation++;
      }
    },
    get(id) {
      const joined = reading.get(id);
      if (joined !== undefined && joined.generation === generation) return joined.reply;
      const reply = read(id).finally(() => {
        if (reading.get(id)?.reply === reply) reading.delete(id);
      });
      reading.set(id, { generation, reply });
      return reply;
    },
    async invalidate(entities: Iterable<CacheEntityRecord>, at = now()) {
      const keys = [...new Set([...entities].map(({ typename, id }) => tagKey(typename, id ?? undefined)))];
      if (keys.length === 0) return;
      generation++;
      try {
        await dropTagged(keys, at);
      } finally {
        generation++;
      }
    },
  };
}
