// Redis that stops answering and Redis that is slow (issue 26), on a redis-server of the test's own
// (test/helpers/redis-server.ts, stopped by its PID; the slow one behind a proxy that holds replies): every answer still comes, each shared feature
// does what the README's "Redis slow or down" table says, and the guard's breaker and metrics show it.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { redisReady } from '../../src/server/redis';
import { NO_CALLS, startWorld, type World } from '../helpers/world';
import { startOwnRedis, startSlowProxy, type OwnRedis, type SlowProxy } from '../helpers/redis-server';

const PRODUCT = '{ product(id: "prod-7") { id title } }';

let redis: OwnRedis;
beforeAll(async () => {
  redis = await startOwnRedis();
});
afterAll(async () => {
  await redis.stop();
});

async function metricsOf(world: World): Promise<string> {
  return world.gateway.telemetry.metrics.registry.metrics();
}

function metric(text: string, line: string): number | undefined {
  const found = text.split('\n').find((l) => l.startsWith(`${line} `));
  return found === undefined ? undefined : Number(found.slice(line.length + 1));
}

describe('Redis that stops answering (SIGSTOP)', () => {
  let world: World;
  afterEach(async () => {
    redis.thaw();
    await world.close();
  });

  it('answers every request from local state: memory budget, cache misses; the breaker opens and short-circuits', async () => {
    world = await startWorld({
      env: { REDIS_URL: redis.url, REDIS_KEY_PREFIX: 'frozen:', REDIS_TIMEOUT_MS: '50', RESPONSE_CACHE: '1', RATE_LIMIT_REQUESTS_PER_WINDOW: '3' },
    });
    const shared = world.gateway.redis;
    expect(shared && (await redisReady(shared))).toBe(true);
    redis.freeze();

    const answers = [];
    for (let i = 0; i < 5; i++) answers.push(await world.gql(PRODUCT, { as: 'frozen-user' }));
    // The local memory budget (3 a window) refuses the 4th and 5th; the others are answered, each a miss.
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 429, 429]);
    expect(answers.slice(0, 3).map((a) => a.headers.get('x-response-cache'))).toEqual(['miss', 'miss', 'miss']);
    expect(answers[3]?.body.errors?.[0]?.extensions['code']).toBe('RATE_LIMITED');
    expect(world.counts()).toEqual({ ...NO_CALLS, catalog: 3 });

    const text = await metricsOf(world);
    expect(metric(text, 'bff_redis_breaker_state')).toBe(2);
    // Five calls waited for the 50 ms timeout (the breaker's minimum); every later one was refused at once.
    expect(metric(text, 'bff_redis_calls_total{outcome="timeout"}')).toBeGreaterThanOrEqual(5);
    expect(metric(text, 'bff_redis_calls_total{outcome="short_circuited"}')).toBeGreaterThan(0);
    expect(metric(text, 'bff_redis_calls_total{outcome="ok"}')).toBe(0);
  });
});

describe('Redis that is slow (a proxy holds its replies back)', () => {
  let world: World;
  let proxy: SlowProxy;
  let admin: Redis;
  afterEach(async () => {
    proxy.release();
    admin.disconnect();
    await world.close();
    await proxy.close();
  });

  it('costs each request at most the timeout until the breaker opens, then answers from local state; late replies change nothing', async () => {
    proxy = await startSlowProxy(redis.port);
    admin = new Redis(redis.url);
    world = await startWorld({
      env: { REDIS_URL: proxy.url, REDIS_KEY_PREFIX: 'slow:', REDIS_TIMEOUT_MS: '50', RESPONSE_CACHE: '1', RATE_LIMIT_REQUESTS_PER_WINDOW: '2' },
    });
    const shared = world.gateway.redis;
    expect(shared && (await redisReady(shared))).toBe(true);
    // A caller fills the shared cache while Redis is well: the entry and its tag sets are there.
    expect((await world.gql(PRODUCT, { as: 'slow-filler' })).headers.get('x-response-cache')).toBe('miss');
    for (let i = 0; i < 200 && (await admin.dbsize()) < 3; i++) await admin.ping();
    world.resetCounts();

    proxy.hold();
    const answers = [];
    for (let i = 0; i < 3; i++) answers.push(await world.gql(PRODUCT, { as: 'slow-caller' }));
    // The entry is in Redis but its reply comes too late: misses answered by the provider; the memory budget (2) refuses the 3rd.
    expect(answers.map((a) => [a.status, a.headers.get('x-response-cache')])).toEqual([
      [200, 'miss'],
      [200, 'miss'],
      [429, null],
    ]);
    expect(world.counts()).toEqual({ ...NO_CALLS, catalog: 2 });
    const text = await metricsOf(world);
    expect(metric(text, 'bff_redis_breaker_state')).toBe(2);
    // The breaker opens once half the calls in its window failed (the filler's 3 good ones count): 3 or more timeouts.
    expect(metric(text, 'bff_redis_calls_total{outcome="timeout"}')).toBeGreaterThanOrEqual(3);
    expect(metric(text, 'bff_redis_calls_total{outcome="short_circuited"}')).toBeGreaterThan(0);

    // The leases that timed out before the breaker opened (1, or 2 when the first answer's cache write
    // timed out after the second request began) did run in Redis: their points are lost, never granted twice.
    const stored = JSON.parse((await admin.get('slow:rl:{user:slow-caller}')) ?? '{}') as Record<string, [number, number]>;
    expect([1, 2]).toContain(stored['requests']?.[0]);
    proxy.release();
    expect((await world.gql(PRODUCT, { as: 'slow-caller' })).status).toBe(429);
  });
});
