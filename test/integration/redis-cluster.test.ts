// The shared state on a Redis Cluster (issue 26): three masters of the test's own on loopback
// (test/helpers/redis-server.ts: redis-server --cluster-enabled ×3, redis-cli --cluster create,
// stopped by PID), two gateway instances on REDIS_CLUSTER_NODES. Every multi-key command runs in one
// slot: the response cache's keys carry the hash tag {rc}; budgets and buckets use one key per script.
import { randomUUID } from 'node:crypto';
import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintDevToken } from '../../src/dev/dev-jwt';
import { createGateway, type Gateway } from '../../src/server/gateway';
import { createRedisBucket } from '../../src/http/token-bucket';
import { redisReady } from '../../src/server/redis';
import { createManualClock } from '../helpers/manual-clock';
import { startOwnCluster, type OwnCluster } from '../helpers/redis-server';
import { NO_CALLS, startWorld, type World } from '../helpers/world';

const PREFIX = `cl-${randomUUID().slice(0, 8)}:`;
const LIMIT = 10;
const PRODUCT = '{ product(id: "prod-31") { id title } }';
const MY_ORDERS = '{ orders(first: 50) { edges { node { id } } } }';

let cluster: OwnCluster;
let world: World;
let gatewayB: Gateway;
let admin: Cluster;

interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: { data?: Record<string, unknown> | null; errors?: { extensions: Record<string, unknown> }[] };
}

async function ask(gateway: Gateway, query: string, user: string): Promise<Answer> {
  const headers = { 'content-type': 'application/json', accept: 'application/graphql-response+json', authorization: `Bearer ${await mintDevToken(user)}` };
  const res = await gateway.yoga.fetch('http://gateway/api/graphql', { method: 'POST', headers, body: JSON.stringify({ query }) });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Answer['body'] };
}

/** Every key under PREFIX, from every master (SCAN per node: a cluster has no global keyspace). */
async function keysOf(pattern: string): Promise<string[]> {
  const keys: string[] = [];
  for (const node of admin.nodes('master')) {
    let cursor = '0';
    do {
      const [next, batch] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
      cursor = next;
      keys.push(...batch);
    } while (cursor !== '0');
  }
  return keys.sort();
}

beforeAll(async () => {
  cluster = await startOwnCluster();
  const nodes = cluster.nodes.map((n) => `${n.host}:${n.port}`).join(',');
  world = await startWorld({
    env: { REDIS_CLUSTER_NODES: nodes, REDIS_KEY_PREFIX: PREFIX, RESPONSE_CACHE: '1', RATE_LIMIT_REQUESTS_PER_WINDOW: String(LIMIT), RATE_LIMIT_WINDOW_SECONDS: '600' },
  });
  gatewayB = createGateway(world.config);
  admin = new Cluster(cluster.nodes.map((n) => ({ host: n.host, port: n.port })));
  for (const redis of [world.gateway.redis, gatewayB.redis, admin]) expect(redis && (await redisReady(redis, 10_000))).toBe(true);
}, 60_000);

afterAll(async () => {
  admin?.disconnect();
  await gatewayB?.close();
  await world?.close();
  await cluster?.stop();
});

describe('two instances on a 3-master Redis Cluster', () => {
  it('connect as a Cluster client', () => {
    expect(world.gateway.redis).toBeInstanceOf(Cluster);
    expect(gatewayB.redis).toBeInstanceOf(Cluster);
  });

  it('hold one request budget: 30 requests alternating between them let exactly 10 through', async () => {
    const answers: Answer[] = [];
    for (let i = 0; i < 30; i++) answers.push(await ask(i % 2 === 0 ? world.gateway : gatewayB, '{ ping }', 'cluster-budget'));
    expect(answers.filter((a) => a.status === 200)).toHaveLength(LIMIT);
    expect(answers.filter((a) => a.status === 429)).toHaveLength(30 - LIMIT);
    expect(answers.slice(0, LIMIT).map((a) => a.headers.get('ratelimit-remaining'))).toEqual(Array.from({ length: LIMIT }, (_, i) => String(LIMIT - 1 - i)));
    // All budgets of a caller in one key hash-tagged by the identity (budget-lease.ts): one slot per script.
    const stored = JSON.parse((await admin.get(`${PREFIX}rl:{user:cluster-budget}`)) ?? '{}') as Record<string, [number, number]>;
    expect(stored['requests']?.[0]).toBe(LIMIT);
  });

  it('share the response cache: filled by one, a hit on the other, every cache key in the {rc} slot', async () => {
    world.resetCounts();
    const filled = await ask(world.gateway, PRODUCT, 'cluster-1');
    const served = await ask(gatewayB, PRODUCT, 'cluster-2');
    expect([filled.headers.get('x-response-cache'), served.headers.get('x-response-cache')]).toEqual(['miss', 'hit']);
    expect(served.body).toEqual(filled.body);
    expect(world.counts()).toEqual({ ...NO_CALLS, catalog: 1 });
    const cacheKeys = await keysOf(`${PREFIX}*rc*`);
    expect(cacheKeys.length).toBeGreaterThanOrEqual(3);
    expect(cacheKeys.every((k) => k.startsWith(`${PREFIX}{rc}:`))).toBe(true);
  });

  it('see a mutation on one instance drop the caller’s entries on the other (tag sets read and deleted in one slot)', async () => {
    await ask(world.gateway, MY_ORDERS, 'user-12');
    expect((await ask(gatewayB, MY_ORDERS, 'user-12')).headers.get('x-response-cache')).toBe('hit');
    const placed = await ask(gatewayB, 'mutation { placeOrder(idempotencyKey: "cluster-0001", input: { lines: [{ productId: "prod-5", quantity: 1 }] }) { id } }', 'user-12');
    expect(placed.body.errors).toBeUndefined();
    const after = await ask(world.gateway, MY_ORDERS, 'user-12');
    expect(after.headers.get('x-response-cache')).toBe('miss');
    const ids = (after.body.data?.['orders'] as { edges: { node: { id: string } }[] }).edges.map((e) => e.node.id);
    expect(ids).toContain((placed.body.data?.['placeOrder'] as { id: string }).id);
    // The invalidation's marker (which refuses writes of answers read before it) shares the entries' slot: the write script reads it.
    expect((await keysOf(`${PREFIX}*inv:*`)).every((k) => k.startsWith(`${PREFIX}{rc}:inv:`))).toBe(true);
    expect((await keysOf(`${PREFIX}{rc}:inv:*`)).length).toBeGreaterThan(0);
  });

  it('share one outbound bucket through the cluster: two clients get the burst of 2 between them, the third call waits 10 ms', async () => {
    const clock = createManualClock();
    const limit = { ratePerSecond: 100, burst: 2 };
    const key = `${PREFIX}http:bucket:cluster`;
    const a = createRedisBucket(limit, clock, admin, key);
    const b = createRedisBucket(limit, clock, admin, key);
    expect([await a.reserve(0), await b.reserve(0), await a.reserve(0), await b.reserve(50)]).toEqual([
      { granted: true, waitMs: 0 },
      { granted: true, waitMs: 0 },
      { granted: false, waitMs: 10 },
      { granted: true, waitMs: 10 },
    ]);
    expect(Number(await admin.hget(key, 'tokens'))).toBe(-1);
  });
});
