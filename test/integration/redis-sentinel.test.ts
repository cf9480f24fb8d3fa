// Redis through Sentinel (issue 26): a redis-server and a Sentinel of the test's own on loopback
// (test/helpers/redis-server.ts, stopped by PID); two instances on REDIS_SENTINELS find the primary
// through it and share one budget and the response cache.
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintDevToken } from '../../src/dev/dev-jwt';
import { createGateway, type Gateway } from '../../src/server/gateway';
import { redisReady } from '../../src/server/redis';
import { startOwnRedis, startOwnSentinel, type OwnRedis, type OwnSentinel } from '../helpers/redis-server';
import { NO_CALLS, startWorld, type World } from '../helpers/world';

const PREFIX = `st-${randomUUID().slice(0, 8)}:`;
const LIMIT = 4;

let primary: OwnRedis;
let sentinel: OwnSentinel;
let world: World;
let gatewayB: Gateway;
let admin: Redis;

async function ask(gateway: Gateway, query: string, user: string): Promise<{ status: number; cache: string | null }> {
  const headers = { 'content-type': 'application/json', accept: 'application/graphql-response+json', authorization: `Bearer ${await mintDevToken(user)}` };
  const res = await gateway.yoga.fetch('http://gateway/api/graphql', { method: 'POST', headers, body: JSON.stringify({ query }) });
  await res.text();
  return { status: res.status, cache: res.headers.get('x-response-cache') };
}

beforeAll(async () => {
  primary = await startOwnRedis();
  sentinel = await startOwnSentinel(primary.port, 'bffprimary');
  world = await startWorld({
    env: {
      REDIS_SENTINELS: `127.0.0.1:${sentinel.port}`,
      REDIS_SENTINEL_NAME: 'bffprimary',
      REDIS_KEY_PREFIX: PREFIX,
      RESPONSE_CACHE: '1',
      RATE_LIMIT_REQUESTS_PER_WINDOW: String(LIMIT),
      RATE_LIMIT_WINDOW_SECONDS: '600',
    },
  });
  gatewayB = createGateway(world.config);
  admin = new Redis(primary.url);
  for (const redis of [world.gateway.redis, gatewayB.redis, admin]) expect(redis && (await redisReady(redis, 10_000))).toBe(true);
}, 30_000);

afterAll(async () => {
  admin?.disconnect();
  await gatewayB?.close();
  await world?.close();
  await sentinel?.stop();
  await primary?.stop();
});

describe('two instances through Redis Sentinel', () => {
  it('share one request budget on the primary the Sentinel names: 4 of 8 alternating requests pass', async () => {
    const statuses = [];
    for (let i = 0; i < 8; i++) statuses.push((await ask(i % 2 === 0 ? world.gateway : gatewayB, '{ ping }', 'sentinel-budget')).status);
    expect(statuses).toEqual([200, 200, 200, 200, 429, 429, 429, 429]);
    const stored = JSON.parse((await admin.get(`${PREFIX}rl:{user:sentinel-budget}`)) ?? '{}') as Record<string, [number, number]>;
    expect(stored['requests']?.[0]).toBe(LIMIT);
  });

  it('share the response cache: a miss on one, a hit on the other', async () => {
    world.resetCounts();
    const query = '{ product(id: "prod-33") { id title } }';
    expect([(await ask(world.gateway, query, 'sentinel-1')).cache, (await ask(gatewayB, query, 'sentinel-2')).cache]).toEqual(['miss', 'hit']);
    expect(world.counts()).toEqual({ ...NO_CALLS, catalog: 1 });
  });
});
