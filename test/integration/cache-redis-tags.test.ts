// The response cache's Redis store (real Redis on 127.0.0.1:6379, a unique key prefix per run,
// deleted afterwards): a tag set holds the entries still alive, not every id ever written under
// the tag; invalidation drops what the tag lists, including the previous release's plain sets.
// The store's clock is injected, so "expired" needs no waiting.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisResponseCache } from '../../src/plugins/response-cache/response-cache-redis';
import { createRedis, redisReady, type Redis } from '../../src/server/redis';

const PREFIX = `bff-test:rc-tags:${randomUUID()}:`;
const T0 = 1_700_000_000_000;

let redis: Redis;
beforeAll(async () => {
  redis = createRedis('redis://127.0.0.1:6379');
  expect(await redisReady(redis)).toBe(true);
});
afterAll(async () => {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${PREFIX}*`, 'COUNT', 500);
    if (keys.length > 0) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
  await redis.quit();
});

/** A store on its own prefix, with a clock the test moves. */
function storeAt(name: string) {
  const clock = { now: T0 };
  const keyPrefix = `${PREFIX}${name}:`;
  const store = createRedisResponseCache(redis, { keyPrefix, now: () => clock.now });
  const tag = (key: string) => `${keyPrefix}rc:t:${key}`;
  return { clock, store, tag, response: (id: string) => `${keyPrefix}rc:r:${id}` };
}

const PRODUCT = { typename: 'Product', id: 'prod-1' };
const result = (n: number) => ({ data: { n } });

describe('Redis response cache tag sets', () => {
  it('keep only live members: a write of a tag drops the members whose entry has expired', async () => {
    const { clock, store, tag } = storeAt('bounded');
    await store.set('short-1', result(1), [PRODUCT], 1_000);
    await store.set('short-2', result(2), [PRODUCT], 2_000);
    await store.set('long', result(3), [PRODUCT], 60_000);
    expect(await redis.zcard(tag('Product:prod-1'))).toBe(3);

    clock.now = T0 + 5_000; // short-1 and short-2 have expired, long has not
    await store.set('fresh', result(4), [PRODUCT], 1_000);
    for (const key of [tag('Product:prod-1'), tag('Product')]) {
      expect(await redis.zrange(key, '0', '-1', 'WITHSCORES')).toEqual(['fresh', String(T0 + 6_000), 'long', String(T0 + 60_000)]);
    }

    // 100 more writes, each after the previous one expired: the set never holds more than the live ones.
    for (let i = 0; i < 100; i++) {
      clock.now = T0 + 70_000 + i * 2_000;
      await store.set(`churn-${i}`, result(i), [PRODUCT], 1_000);
    }
    expect(await redis.zrange(tag('Product:prod-1'), '0', '-1')).toEqual(['churn-99']);
    expect(await redis.zcard(tag('Product'))).toBe(1);
  });

  it('live as long as their longest-lived member, not extended by shorter writes', async () => {
    const { store, tag } = storeAt('ttl');
    await store.set('long', result(1), [PRODUCT], 60_000);
    for (let i = 0; i < 5; i++) await store.set(`short-${i}`, result(i), [PRODUCT], 1_000);
    const pttl = await redis.pttl(tag('Product:prod-1'));
    expect(pttl).toBeGreaterThan(50_000);
    expect(pttl).toBeLessThanOrEqual(60_000);
    await store.set('longer', result(2), [PRODUCT], 120_000);
    expect(await redis.pttl(tag('Product:prod-1'))).toBeGreaterThan(60_000);
  });

  it('invalidation drops every entry the tag lists and the tag set, and the previous release’s plain set', async () => {
    const { store, tag, response } = storeAt('invalidate');
    await store.set('a', result(1), [PRODUCT], 60_000);
    await store.set('b', result(2), [PRODUCT, { typename: 'Review', id: 'rev-1' }], 60_000);
    await store.set('other', result(3), [{ typename: 'Product', id: 'prod-2' }], 60_000);
    // Written by the previous release: a plain set under `e:`.
    const legacy = tag('Product:prod-1').replace(':rc:t:', ':rc:e:');
    await redis.multi().set(response('legacy'), JSON.stringify(result(4)), 'PX', 60_000).sadd(legacy, 'legacy').pexpire(legacy, 60_000).exec();

    await store.invalidate([PRODUCT]);
    expect(await Promise.all(['a', 'b', 'legacy', 'other'].map(async (id) => (await store.get(id)) ?? null))).toEqual([null, null, null, result(3)]);
    expect(await redis.exists(tag('Product:prod-1'), legacy)).toBe(0);
  });

  it('fails a write whose tag commands fail (the cache reports it as a store error) and leaves no untagged entry behind', async () => {
    const { store, tag, response } = storeAt('wrongtype');
    await redis.set(tag('Product:prod-1'), 'not a sorted set', 'PX', 60_000);
    await expect(store.set('a', result(1), [PRODUCT], 60_000)).rejects.toThrow(/WRONGTYPE/);
    // The script wrote the response before ZADD failed (Redis does not undo it): the script deletes it again.
    expect(await redis.exists(response('a'))).toBe(0);
    expect(await store.get('a')).toBeUndefined();
  });

  it('invalidation with a tag it cannot read still drops the entries of the tags it could read, then reports the failure', async () => {
    const { store, tag, response } = storeAt('invalidate-partial');
    const REVIEW = { typename: 'Review', id: 'rev-1' };
    const BROKEN = { typename: 'User', id: 'user-1' };
    await store.set('a', result(1), [PRODUCT], 60_000);
    await store.set('b', result(2), [REVIEW], 60_000);
    await redis.set(tag('User:user-1'), 'not a sorted set', 'PX', 60_000);

    await expect(store.invalidate([PRODUCT, BROKEN, REVIEW])).rejects.toThrow(/WRONGTYPE/);
    expect(await redis.exists(response('a'), response('b'), tag('Product:prod-1'), tag('Review:rev-1'))).toBe(0);
    // The unreadable tag is left as it is: if it ever lists entries, it is the only list of them.
    expect(await redis.exists(tag('User:user-1'))).toBe(1);
  });
});
