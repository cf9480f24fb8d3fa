// Shared state in leases (issue 26) on the machine's Redis under a key prefix of this run: inbound
// budgets (src/plugins/rate-limit/budget-lease.ts, all of a caller's in one call) and outbound buckets (src/http/token-bucket.ts)
// take several units per Redis call, and the instances together still never pass the limit.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBudgetLeases, type LeasedBudgetSpec } from '../../src/plugins/rate-limit/budget-lease';
import { createRedisBucket, leaseSizeOf } from '../../src/http/token-bucket';
import { createRedis, redisReady, type Redis } from '../../src/server/redis';
import { createRedisGuard } from '../../src/server/redis-guard';
import { createManualClock } from '../helpers/manual-clock';

const PREFIX = `bff-test:${randomUUID()}:`;
let redis: Redis;

beforeAll(async () => {
  redis = createRedis('redis://127.0.0.1:6379');
  expect(await redisReady(redis)).toBe(true);
});
afterAll(async () => {
  const keys = await redis.keys(`${PREFIX}*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
});

/** One instance's budgets: its own guard (whose `ok` count is its Redis calls) and lease state. */
function instance(keyPrefix: string, budgets: readonly LeasedBudgetSpec[], leaseFraction?: number) {
  const guard = createRedisGuard({ timeoutMs: 1000 });
  return { guard, leases: createBudgetLeases({ budgets, redis, keyPrefix, guard, leaseFraction }) };
}

// The defaults' sizes with windows long enough that Redis's real clock never rolls one over mid-test.
const DEFAULTS: readonly LeasedBudgetSpec[] = [
  { name: 'requests', points: 600, windowSeconds: 600 },
  { name: 'burst', points: 60, windowSeconds: 600 },
  { name: 'cost', points: 50_000, windowSeconds: 600, byCost: true },
];
const calls = (...instances: { guard: ReturnType<typeof createRedisGuard> }[]) => instances.reduce((n, i) => n + i.guard.stats().calls.ok, 0);
const stored = async (key: string) => JSON.parse((await redis.get(key)) ?? 'null') as Record<string, [number, number]> | null;

describe('inbound budgets in leases', () => {
  it('sizes leases at 10 % of each limit (at least 1), the cost one at 2 × the cost asked for when larger, and exactly the need at fraction 0', () => {
    const { leases } = instance(`${PREFIX}rl:`, [...DEFAULTS, { name: 'small', points: 9, windowSeconds: 600 }]);
    expect([leases.leaseSize('requests'), leases.leaseSize('burst'), leases.leaseSize('small')]).toEqual([60, 6, 1]);
    expect([leases.leaseSize('cost', 1022), leases.leaseSize('cost', 3000), leases.leaseSize('cost', 60_000)]).toEqual([5000, 6000, 120_000]);
    const exact = instance(`${PREFIX}rl:`, DEFAULTS, 0).leases;
    expect([exact.leaseSize('requests'), exact.leaseSize('burst'), exact.leaseSize('cost', 1022)]).toEqual([1, 1, 1022]);
  });

  it('refills every low budget of a caller in one call to one hash-tagged key: 10 requests with 5 order pages (cost 1022) are 2 Redis calls', async () => {
    const a = instance(`${PREFIX}rl:`, DEFAULTS);
    const key = a.leases.keyOf('user:lease-1');
    expect(key).toBe(`${PREFIX}rl:{user:lease-1}`);
    const first = await a.leases.spend('user:lease-1', { requests: 1, burst: 1 });
    expect(calls(a)).toBe(1);
    // The request's call also leased the cost budget ahead of its first operation.
    expect(Object.fromEntries(Object.entries((await stored(key)) ?? {}).map(([name, [count]]) => [name, count]))).toEqual({ requests: 60, burst: 6, cost: 5000 });
    expect(first['requests']).toMatchObject({ limit: 600, remaining: 599, refused: false });
    expect(first['burst']).toMatchObject({ limit: 60, remaining: 59, refused: false });
    for (let i = 0; i < 4; i++) expect((await a.leases.spend('user:lease-1', { cost: 1022 }))['cost']?.refused).toBe(false);
    expect(calls(a)).toBe(1);
    // The fifth order page needs 110 more than held: one call leases 4088 more cost and tops up the other two.
    const fifth = await a.leases.spend('user:lease-1', { cost: 1022 });
    expect(fifth['cost']).toMatchObject({ remaining: 50_000 - 5 * 1022, refused: false });
    expect(calls(a)).toBe(2);
    expect(Object.fromEntries(Object.entries((await stored(key)) ?? {}).map(([name, [count]]) => [name, count]))).toEqual({ requests: 61, burst: 7, cost: 9088 });
    for (let i = 0; i < 5; i++) await a.leases.spend('user:lease-1', { requests: 1, burst: 1 });
    expect(calls(a)).toBe(2);
    const ttl = await redis.pttl(key);
    expect(ttl).toBeGreaterThan(590_000);
    expect(ttl).toBeLessThanOrEqual(600_000);
  });

  it('lets two instances together admit exactly the limit (100) when both keep being asked, then refuses both without asking Redis', async () => {
    const budgets = [{ name: 'requests', points: 100, windowSeconds: 600 }];
    const a = instance(`${PREFIX}both:`, budgets);
    const b = instance(`${PREFIX}both:`, budgets);
    expect(a.leases.leaseSize('requests')).toBe(10);
    let admitted = 0;
    for (let i = 0; i < 1200; i++) {
      const state = (await (i % 3 === 0 ? a : b).leases.spend('user:lease-2', { requests: 1 }))['requests'];
      if (state?.refused === false) admitted++;
    }
    expect(admitted).toBe(100);
    expect((await stored(a.leases.keyOf('user:lease-2')))?.['requests']?.[0]).toBe(100);
    // 10 leases of 10, plus one refused call by the instance that did not take the last lease (the
    // other learned from its own reply that nothing is left); later refusals are known locally.
    const made = calls(a, b);
    expect(made).toBe(11);
    expect((await a.leases.spend('user:lease-2', { requests: 1 }))['requests']?.refused).toBe(true);
    expect(calls(a, b)).toBe(made);
  });

  it('undercounts by at most one lease per instance: with A holding 9, B alone gets 90 of 100 and is refused at the 91st; A still spends its 9', async () => {
    const budgets = [{ name: 'requests', points: 100, windowSeconds: 600 }];
    const a = instance(`${PREFIX}bound:`, budgets);
    const b = instance(`${PREFIX}bound:`, budgets);
    expect((await a.leases.spend('user:lease-3', { requests: 1 }))['requests']?.refused).toBe(false);
    const onB = [];
    for (let i = 0; i < 91; i++) onB.push((await b.leases.spend('user:lease-3', { requests: 1 }))['requests']);
    expect(onB.filter((s) => s?.refused === false)).toHaveLength(90);
    expect(onB[90]).toMatchObject({ refused: true, remaining: 0 });
    const onA = [];
    for (let i = 0; i < 10; i++) onA.push((await a.leases.spend('user:lease-3', { requests: 1 }))['requests']?.refused);
    expect(onA).toEqual([...Array.from({ length: 9 }, () => false), true]);
    expect((await stored(a.leases.keyOf('user:lease-3')))?.['requests']?.[0]).toBe(100);
  });

  it('stays exact at lease fraction 0: two instances admit 10 of 20 with each remaining count once, one call per admitted spend', async () => {
    const budgets = [{ name: 'requests', points: 10, windowSeconds: 600 }];
    const a = instance(`${PREFIX}exact:`, budgets, 0);
    const b = instance(`${PREFIX}exact:`, budgets, 0);
    const states = [];
    for (let i = 0; i < 20; i++) states.push((await (i % 2 === 0 ? a : b).leases.spend('user:lease-4', { requests: 1 }))['requests']);
    const ok = states.filter((s) => s?.refused === false);
    expect(ok.map((s) => s?.remaining)).toEqual([9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
    expect(states.slice(10).every((s) => s?.refused === true)).toBe(true);
    // 10 grants, then each instance learns once that nothing is left (A's last reply still said 1 was).
    expect(calls(a, b)).toBe(11);
  });

  it('spends a cost that does not fit nothing: 40 of the last 50 leave 10 for a cost of 10', async () => {
    const a = instance(`${PREFIX}cost:`, [{ name: 'cost', points: 100, windowSeconds: 600, byCost: true }]);
    expect((await a.leases.spend('user:lease-5', { cost: 50 }))['cost']?.remaining).toBe(50);
    expect((await a.leases.spend('user:lease-5', { cost: 60 }))['cost']?.refused).toBe(true);
    expect((await a.leases.spend('user:lease-5', { cost: 40 }))['cost']?.remaining).toBe(10);
    expect((await a.leases.spend('user:lease-5', { cost: 11 }))['cost']?.refused).toBe(true);
    expect((await a.leases.spend('user:lease-5', { cost: 10 }))['cost']?.remaining).toBe(0);
    expect((await stored(a.leases.keyOf('user:lease-5')))?.['cost']?.[0]).toBe(100);
  });

  it('lets 10 concurrent requests of one caller share one refill', async () => {
    const a = instance(`${PREFIX}together:`, [{ name: 'requests', points: 100, windowSeconds: 600 }]);
    const states = await Promise.all(Array.from({ length: 10 }, () => a.leases.spend('user:lease-6', { requests: 1 })));
    expect(states.every((s) => s['requests']?.refused === false)).toBe(true);
    expect(calls(a)).toBe(1);
    expect((await stored(a.leases.keyOf('user:lease-6')))?.['requests']?.[0]).toBe(10);
  });
});

describe('outbound bucket in leases', () => {
  it('takes 10 tokens a call at 1000/s (burst 50): 10 calls at once are 1 Redis call, 40 tokens left in Redis', async () => {
    const clock = createManualClock();
    const limit = { ratePerSecond: 1000, burst: 50 };
    expect(leaseSizeOf(limit)).toBe(10);
    const guard = createRedisGuard({ timeoutMs: 1000 });
    const key = `${PREFIX}bucket:lease-1`;
    const bucket = createRedisBucket(limit, clock, redis, key, guard);
    const grants = [];
    for (let i = 0; i < 10; i++) grants.push(await bucket.reserve(0));
    expect(grants).toEqual(Array.from({ length: 10 }, () => ({ granted: true, waitMs: 0 })));
    expect(guard.stats().calls.ok).toBe(1);
    expect(await redis.hget(key, 'tokens')).toBe('40');
    await bucket.reserve(0);
    expect(guard.stats().calls.ok).toBe(2);
  });

  it('keeps a small bucket exact (lease 1 at 100/s): two instances share a burst of 2, the third call waits for the refill', async () => {
    const clock = createManualClock();
    const limit = { ratePerSecond: 100, burst: 2 };
    const key = `${PREFIX}bucket:lease-2`;
    const a = createRedisBucket(limit, clock, redis, key);
    const b = createRedisBucket(limit, clock, redis, key);
    expect(leaseSizeOf(limit)).toBe(1);
    const first = [await a.reserve(0), await b.reserve(0), await a.reserve(0)];
    expect(first.map((g) => g.granted)).toEqual([true, true, false]);
    clock.advance(10);
    expect((await b.reserve(0)).granted).toBe(true);
  });

  it('drops leased tokens still unused after 1 s: the next call asks Redis again', async () => {
    const clock = createManualClock();
    const guard = createRedisGuard({ timeoutMs: 1000 });
    const bucket = createRedisBucket({ ratePerSecond: 1000, burst: 50 }, clock, redis, `${PREFIX}bucket:lease-3`, guard);
    await bucket.reserve(0);
    await bucket.reserve(0);
    expect(guard.stats().calls.ok).toBe(1);
    clock.advance(1000);
    await bucket.reserve(0);
    expect(guard.stats().calls.ok).toBe(2);
  });
});
