// Two gateway instances that share nothing but Redis (each has its own connection, limiter and
// cache object): one request budget across both, one response cache across both.
// Keys live under a unique prefix per run and are deleted afterwards.
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildConfig, parseEnv } from '../../src/server/config';
import { demoEnv } from '../../src/dev/demo-env';
import { mintDevToken } from '../../src/dev/dev-jwt';
import { createGateway, type Gateway } from '../../src/server/gateway';
import { createRedis, redisReady, type Redis } from '../../src/server/redis';
import { deleteKeys } from '../helpers/redis-keys';
import { startWorld, type World } from '../helpers/world';

const REDIS_URL = 'redis://127.0.0.1:6379';
const LIMIT = 100;
const WINDOW_SECONDS = 600; // long: Redis keeps real time, and the window must not roll over mid-test
const PREFIX = `bff-test:${randomUUID()}:`;

const PRODUCT = '{ product(id: "prod-21") { id title } }';
const CATALOGUE_PAGE = '{ products(first: 5) { edges { node { id title reviews { rating author { name } } } } } }';
const MY_ORDERS = '{ orders(first: 50) { edges { node { id } } } }';

let world: World;
let gatewayB: Gateway;
let admin: Redis;

interface Answer {
  status: number;
  headers: Headers;
  body: { data?: Record<string, unknown> | null; errors?: { extensions: Record<string, unknown> }[] };
}

async function ask(gateway: Gateway, query: string, user?: string): Promise<Answer> {
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/graphql-response+json' };
  if (user) headers['authorization'] = `Bearer ${await mintDevToken(user)}`;
  const res = await gateway.yoga.fetch('http://gateway/api/graphql', { method: 'POST', headers, body: JSON.stringify({ query }) });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Answer['body'] };
}


beforeAll(async () => {
  world = await startWorld({
    env: {
      REDIS_URL,
      // Exact shared counts: a Redis call timing out on a loaded machine would fall back to this
      // instance's own limiter and cache (by design, see redis-faults.test.ts), which is not what is tested here.
      REDIS_TIMEOUT_MS: '5000',
      REDIS_KEY_PREFIX: PREFIX,
      RESPONSE_CACHE: '1',
      RATE_LIMIT_REQUESTS_PER_WINDOW: String(LIMIT),
      RATE_LIMIT_WINDOW_SECONDS: String(WINDOW_SECONDS),
    },
  });
  // The second instance: same configuration, its own Redis connection and in-process state.
  gatewayB = createGateway(world.config);
  admin = createRedis(REDIS_URL);
  // Until its connection is up an instance counts and caches locally (a command never waits for
  // Redis): measure the shared state once both are connected.
  for (const redis of [world.gateway.redis, gatewayB.redis, admin]) expect(redis && (await redisReady(redis))).toBe(true);
});
afterAll(async () => {
  await deleteKeys(admin, PREFIX);
  await admin.quit();
  await gatewayB.close();
  await world.close();
});
afterEach(() => world.resetCounts());

describe('two instances on one Redis', () => {
  it('each have their own Redis connection', () => {
    expect(world.gateway.redis).toBeDefined();
    expect(gatewayB.redis).toBeDefined();
    expect(gatewayB.redis).not.toBe(world.gateway.redis);
  });

  it('hold one request budget in leases of 10: 300 concurrent requests spread over both let exactly 100 through', async () => {
    const user = 'shared-budget-user';
    await mintDevToken(user);
    const answers: Answer[] = [];
    for (let batch = 0; batch < 15; batch++) {
      const round = Array.from({ length: 20 }, (_, i) => ask(i % 2 === 0 ? world.gateway : gatewayB, '{ ping }', user));
      answers.push(...(await Promise.all(round)));
    }
    const ok = answers.filter((a) => a.status === 200);
    const limited = answers.filter((a) => a.status === 429);
    expect(ok).toHaveLength(LIMIT);
    expect(limited).toHaveLength(300 - LIMIT);
    // Both kept being asked, so each spent every point it leased: no undercount here (at most one
    // lease of 10 per instance when one stops being asked). Remaining counts what Redis could still
    // grant plus what the answering instance holds, so it may repeat; it never exceeds what is left.
    const stored = JSON.parse((await admin.get(`${PREFIX}rl:{user:${user}}`)) ?? '{}') as Record<string, [number, number]>;
    expect(stored['requests']?.[0]).toBe(LIMIT);
    const remaining = ok.map((a) => Number(a.headers.get('ratelimit-remaining')));
    expect(remaining.every((r) => r >= 0 && r < LIMIT)).toBe(true);
    expect(Math.max(...remaining)).toBe(LIMIT - 1);
    expect(Math.min(...remaining)).toBe(0);
    for (const a of limited) {
      const retryAfter = Number(a.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(WINDOW_SECONDS);
      expect(a.body.errors?.[0]?.extensions['retryAfterSeconds']).toBe(retryAfter);
      expect(a.body.errors?.[0]?.extensions['code']).toBe('RATE_LIMITED');
    }
  });

  it('hold one exact request budget at RATE_LIMIT_LEASE_FRACTION=0: of 60 concurrent requests 20 pass, each remaining count once', async () => {
    const config = buildConfig(
      parseEnv({
        ...demoEnv(world.upstreams),
        NODE_ENV: 'test',
        REDIS_URL,
        // Exact shared counts: a Redis call timing out on a loaded machine would fall back to this
        // instance's own limiter and cache (by design, see redis-faults.test.ts), which is not what is tested here.
        REDIS_TIMEOUT_MS: '5000',
        REDIS_KEY_PREFIX: `${PREFIX}exact:`,
        RATE_LIMIT_REQUESTS_PER_WINDOW: '20',
        RATE_LIMIT_WINDOW_SECONDS: String(WINDOW_SECONDS),
        RATE_LIMIT_LEASE_FRACTION: '0',
      }),
    );
    await using a = createGateway(config);
    await using b = createGateway(config);
    for (const redis of [a.redis, b.redis]) expect(redis && (await redisReady(redis))).toBe(true);
    const answers: Answer[] = [];
    for (let batch = 0; batch < 3; batch++) {
      answers.push(...(await Promise.all(Array.from({ length: 20 }, (_, i) => ask(i % 2 === 0 ? a : b, '{ ping }', 'exact-budget-user')))));
    }
    const ok = answers.filter((x) => x.status === 200);
    expect(ok).toHaveLength(20);
    expect(answers.filter((x) => x.status === 429)).toHaveLength(40);
    const remaining = ok.map((x) => Number(x.headers.get('ratelimit-remaining'))).sort((x, y) => x - y);
    expect(remaining).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it('share the response cache: an entry filled by one is a hit on the other', async () => {
    const filled = await ask(world.gateway, PRODUCT, 'user-1');
    const served = await ask(gatewayB, PRODUCT, 'user-2');
    expect(filled.headers.get('x-response-cache')).toBe('miss');
    expect(served.headers.get('x-response-cache')).toBe('hit');
    expect(served.body).toEqual(filled.body);
    expect(world.counts().catalog).toBe(1);
  });

  it('keep private entries per caller across instances', async () => {
    const a = await ask(world.gateway, '{ me { id email } }', 'user-8');
    const other = await ask(gatewayB, '{ me { id email } }', 'user-9');
    const again = await ask(gatewayB, '{ me { id email } }', 'user-8');
    expect([a, other, again].map((r) => r.headers.get('x-response-cache'))).toEqual(['miss', 'miss', 'hit']);
    expect((other.body.data?.['me'] as { id: string }).id).toBe('user-9');
    expect(again.body).toEqual(a.body);
  });

  it('store each answer for the smallest @cacheControl maxAge it contains', async () => {
    // The TTL Redis holds for the one entry a request adds.
    const ttlOfNewEntry = async (query: string) => {
      const before = new Set(await admin.keys(`${PREFIX}rc:r:*`));
      expect((await ask(world.gateway, query)).headers.get('x-response-cache')).toBe('miss');
      // envelop's cache writes without awaiting (the answer is sent first): wait for the key, bounded by round trips.
      let added: string[] = [];
      for (let i = 0; i < 200 && added.length === 0; i++) added = (await admin.keys(`${PREFIX}rc:r:*`)).filter((k) => !before.has(k));
      expect(added).toHaveLength(1);
      return admin.pttl(added[0] ?? '');
    };
    const productTtl = await ttlOfNewEntry('{ product(id: "prod-22") { title } }');
    const pageTtl = await ttlOfNewEntry(CATALOGUE_PAGE);
    // Product 300 s; the page also holds User (review authors) at 60 s.
    expect(productTtl).toBeGreaterThan(290_000);
    expect(productTtl).toBeLessThanOrEqual(300_000);
    expect(pageTtl).toBeGreaterThan(50_000);
    expect(pageTtl).toBeLessThanOrEqual(60_000);
  });

  it('see a mutation on one instance drop the caller’s entries on the other', async () => {
    await ask(world.gateway, MY_ORDERS, 'user-10');
    expect((await ask(gatewayB, MY_ORDERS, 'user-10')).headers.get('x-response-cache')).toBe('hit');
    const placed = await ask(gatewayB, 'mutation { placeOrder(idempotencyKey: "two-inst-0001", input: { lines: [{ productId: "prod-5", quantity: 1 }] }) { id } }', 'user-10');
    expect(placed.body.errors).toBeUndefined();
    const after = await ask(world.gateway, MY_ORDERS, 'user-10');
    expect(after.headers.get('x-response-cache')).toBe('miss');
    const ids = (after.body.data?.['orders'] as { edges: { node: { id: string } }[] }).edges.map((e) => e.node.id);
    expect(ids).toContain((placed.body.data?.['placeOrder'] as { id: string }).id);
  });
});

describe('Redis unreachable', () => {
  it('keeps answering: the limiter falls back to memory and the cache to misses', async () => {
    const config = buildConfig(
      parseEnv({ ...demoEnv(world.upstreams), NODE_ENV: 'test', REDIS_URL: 'redis://127.0.0.1:1', RESPONSE_CACHE: '1', RATE_LIMIT_REQUESTS_PER_WINDOW: '2' }),
    );
    await using gateway = createGateway(config);
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await ask(gateway, PRODUCT, 'user-11')).status);
    expect(statuses).toEqual([200, 200, 429]);
  });
});
