// Provider events when the store misbehaves or races (issues 24 and 26): a failed invalidation is
// answered 503 with Retry-After and its event id is forgotten (the provider's retry does the work);
// an answer made from data read before an invalidation is not written back after it; a read waits
// for this instance's invalidation in flight no longer than REDIS_TIMEOUT_MS. Real Redis: the
// machine's on a unique prefix, or a redis-server of the test's own (frozen by its PID).
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createReplayGuard } from '../../src/plugins/provider-events/replay-guard';
import { signatureHeaderOf } from '../../src/plugins/provider-events/signature';
import { Redis as IORedis } from 'ioredis';
import { CALLER_ENTITY, callerTag } from '../../src/plugins/response-cache/response-cache-key';
import { createGatewayCache } from '../../src/plugins/response-cache/response-cache-store';
import { createRedis, redisReady, type Redis } from '../../src/server/redis';
import { deleteKeys } from '../helpers/redis-keys';
import { startOwnRedis, type OwnRedis } from '../helpers/redis-server';
import { NO_CALLS, startWorld, type World } from '../helpers/world';

const SECRET = 'store-faults-catalog-secret';
const ADMIN_TOKEN = 'store-faults-admin-token';
const productQuery = (id: string) => `{ product(id: "${id}") { id priceCents } }`;

function envFor(redisUrl: string | undefined, prefix: string): Record<string, string> {
  return {
    ...(redisUrl === undefined ? {} : { REDIS_URL: redisUrl, REDIS_KEY_PREFIX: prefix }),
    RESPONSE_CACHE: '1',
    RATE_LIMIT_REQUESTS_PER_WINDOW: '0',
    RATE_LIMIT_COST_PER_WINDOW: '0',
    RATE_LIMIT_BURST_REQUESTS: '0',
    CATALOG_WEBHOOK_SECRET: SECRET,
    CACHE_ADMIN_TOKEN: ADMIN_TOKEN,
  };
}

async function sendEvent(world: World, event: { id: string; type: string; data: unknown }): Promise<{ status: number; retryAfter: string | null; body: Record<string, unknown> }> {
  const body = JSON.stringify(event);
  const res = await world.gateway.yoga.fetch('http://gateway/api/webhooks/catalog', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'webhook-signature': signatureHeaderOf(SECRET, body, Math.floor(Date.now() / 1000)) },
    body,
  });
  return { status: res.status, retryAfter: res.headers.get('retry-after'), body: (await res.json()) as Record<string, unknown> };
}

function adminInvalidate(world: World, target: unknown): Promise<Response> {
  return Promise.resolve(
    world.gateway.yoga.fetch('http://gateway/api/admin/invalidate', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_TOKEN}` },
      body: JSON.stringify(target),
    }),
  );
}


describe('a failed invalidation (the store refuses its commands)', () => {
  const prefix = `bff-test:${randomUUID()}:`;
  const lines: string[] = [];
  let world: World;
  let admin: Redis;
  beforeAll(async () => {
    world = await startWorld({ env: envFor('redis://127.0.0.1:6379', prefix), telemetry: { logDestination: { write: (line: string) => void lines.push(line) }, logLevel: 'warn', processMetrics: false } });
    admin = createRedis('redis://127.0.0.1:6379');
    for (const redis of [world.gateway.redis, admin]) expect(redis && (await redisReady(redis))).toBe(true);
  });
  afterAll(async () => {
    await deleteKeys(admin, prefix);
    await admin.quit();
    await world.close();
  });

  it('answers the webhook 503 with Retry-After and forgets the event id: the retry after recovery invalidates (200, not replayed)', async () => {
    const query = productQuery('prod-61');
    expect((await world.gql(query)).headers.get('x-response-cache')).toBe('miss');
    expect((await world.gql(query)).headers.get('x-response-cache')).toBe('hit');
    // The entity's tag set is not a sorted set: Redis answers WRONGTYPE to the invalidation's read of it.
    const tagSet = `${prefix}rc:t:Product:prod-61`;
    await admin.set(tagSet, 'not a sorted set', 'PX', 60_000);
    const event = { id: `evt-${randomUUID()}`, type: 'product.updated', data: { id: 'prod-61' } };

    const failed = await sendEvent(world, event);
    expect([failed.status, failed.retryAfter]).toEqual([503, '5']);
    expect((failed.body['errors'] as { extensions: { code: string; requestId: string } }[])[0]?.extensions).toMatchObject({ code: 'OVERLOADED', requestId: expect.any(String) });

    // The store's failure is logged: the operation and the scrubbed error, nothing of the request.
    const storeLines = lines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line['msg'] === 'response cache store failed');
    expect(storeLines).toHaveLength(1);
    expect(storeLines[0]).toMatchObject({ operation: 'invalidate', suppressed: 0, err: expect.objectContaining({ message: expect.stringContaining('WRONGTYPE') }) });

    // Forgotten: nothing holds the id, so the retry is processed.
    const claim = `${prefix}evt:catalog:${event.id}`;
    expect(await admin.exists(claim)).toBe(0);

    await admin.del(tagSet);
    const retried = await sendEvent(world, event);
    expect(retried.status).toBe(200);
    expect(retried.body).toMatchObject({ status: 'invalidated', tags: expect.arrayContaining(['Product:prod-61']) });
    // Now kept for the whole window (24 h), not just the claim's 60 s: a third delivery changes nothing.
    expect(await admin.pttl(claim)).toBeGreaterThan(60_000);
    expect((await sendEvent(world, event)).body).toMatchObject({ status: 'replayed' });
  });

  it('holds a claimed event id for claimMs only until confirmed, so that a process dying mid-event does not turn its retries into "replayed" for a day', async () => {
    const guard = createReplayGuard({ redis: admin, keyPrefix: prefix, claimMs: 60_000, windowMs: 86_400_000 });
    const id = `evt-${randomUUID()}`;
    const key = `${prefix}evt:catalog:${id}`;
    expect(await guard.claim('catalog', id)).toBe(true);
    expect(await guard.claim('catalog', id)).toBe(false);
    const claimed = await admin.pttl(key);
    expect(claimed).toBeGreaterThan(0);
    expect(claimed).toBeLessThanOrEqual(60_000);
    await guard.confirm('catalog', id);
    expect(await admin.pttl(key)).toBeGreaterThan(60_000);
    await guard.release('catalog', id);
    expect(await guard.claim('catalog', id)).toBe(true);
  });

  it('answers the admin endpoint 503 with Retry-After instead of 200, and 200 once the store recovered', async () => {
    const tagSet = `${prefix}rc:t:Product:prod-62`;
    await admin.set(tagSet, 'not a sorted set', 'PX', 60_000);
    const failed = await adminInvalidate(world, { type: 'Product', id: 'prod-62' });
    expect([failed.status, failed.headers.get('retry-after')]).toEqual([503, '5']);
    expect(((await failed.json()) as { errors: { extensions: { code: string } }[] }).errors[0]?.extensions.code).toBe('OVERLOADED');
    await admin.del(tagSet);
    const done = await adminInvalidate(world, { type: 'Product', id: 'prod-62' });
    expect(done.status).toBe(200);
    expect(await done.json()).toMatchObject({ status: 'invalidated', tags: expect.arrayContaining(['Product:prod-62']) });
  });
});

describe.each([
  ['Redis', 'redis://127.0.0.1:6379'],
  ['memory', undefined],
] as const)('an answer read before an invalidation (%s store)', (_name, redisUrl) => {
  const prefix = `bff-test:${randomUUID()}:`;
  let world: World;
  let admin: Redis | undefined;
  beforeAll(async () => {
    world = await startWorld({ env: envFor(redisUrl, prefix) });
    if (redisUrl !== undefined) {
      admin = createRedis(redisUrl);
      for (const redis of [world.gateway.redis, admin]) expect(redis && (await redisReady(redis))).toBe(true);
    }
  });
  afterAll(async () => {
    if (admin !== undefined) {
      await deleteKeys(admin, prefix);
      await admin.quit();
    }
    await world.close();
  });

  it('is not written back after it: the next read calls the provider and gets the new price', async () => {
    const id = redisUrl === undefined ? 'prod-63' : 'prod-64';
    const catalog = world.upstreams.catalog;
    const gate = Promise.withResolvers<void>();
    // R's provider call reads the old price at once and is answered only once the gate opens.
    catalog.fault({ kind: 'hold', until: gate.promise, readFirst: true }, { times: 1, match: { path: '/products*' } });
    const pending = world.gql(productQuery(id));
    await catalog.waitForRequests(1, { path: '/products*' });

    // The price changes (not announced: the event is sent here, so that its answer is seen) and its event invalidates while R is in flight.
    expect((await catalog.setPrice(id, 99_001))?.status).toBeUndefined();
    const event = await sendEvent(world, { id: `evt-${randomUUID()}`, type: 'product.updated', data: { id } });
    expect(event.status).toBe(200);

    gate.resolve();
    const stale = await pending;
    expect(stale.headers.get('x-response-cache')).toBe('miss');
    const oldPrice = (stale.body.data?.['product'] as { priceCents: number }).priceCents;
    expect(oldPrice).not.toBe(99_001);

    world.resetCounts();
    const next = await world.gql(productQuery(id));
    expect(next.headers.get('x-response-cache')).toBe('miss');
    expect((next.body.data?.['product'] as { priceCents: number }).priceCents).toBe(99_001);
    expect(world.counts()).toEqual({ ...NO_CALLS, catalog: 1 });
    // Requests that started after the invalidation are stored as before.
    expect((await world.gql(productQuery(id))).headers.get('x-response-cache')).toBe('hit');
  });
});

describe('a read while this instance’s invalidation hangs (Redis frozen)', () => {
  let redis: OwnRedis;
  let world: World;
  beforeAll(async () => {
    redis = await startOwnRedis();
    world = await startWorld({ env: { ...envFor(redis.url, 'hung:'), REDIS_TIMEOUT_MS: '50' } });
    expect(world.gateway.redis && (await redisReady(world.gateway.redis))).toBe(true);
  });
  afterEach(() => redis.thaw());
  afterAll(async () => {
    await world.close();
    await redis.stop();
  });

  it('waits at most REDIS_TIMEOUT_MS for it, then is a miss answered by the provider while the invalidation is still in flight', async () => {
    const query = productQuery('prod-65');
    expect((await world.gql(query)).headers.get('x-response-cache')).toBe('miss');
    redis.freeze();
    let invalidationSettled = false;
    const invalidation = Promise.resolve(adminInvalidate(world, { type: 'Product', id: 'prod-65' })).finally(() => {
      invalidationSettled = true;
    });
    world.resetCounts();
    const answer = await world.gql(query);
    // Answered before the hung invalidation gave up (ioredis' command timeout, 1 s): the read did not wait for it.
    expect(invalidationSettled).toBe(false);
    expect([answer.status, answer.headers.get('x-response-cache')]).toEqual([200, 'miss']);
    expect(world.counts()).toEqual({ ...NO_CALLS, catalog: 1 });
    // Still frozen: the invalidation fails (ioredis' command timeout) and says so.
    expect((await invalidation).status).toBe(503);
  });
});

describe('a mutation’s own invalidation while Redis hangs', () => {
  let own: OwnRedis;
  let client: Redis;
  beforeAll(async () => {
    own = await startOwnRedis();
    // No command timeout of its own: only the store's bound can let the invalidation's caller go on.
    client = new IORedis(own.url, { commandTimeout: undefined, maxRetriesPerRequest: null });
    expect(await redisReady(client)).toBe(true);
  });
  afterAll(async () => {
    own.thaw();
    client.disconnect();
    await own.stop();
  });

  it('holds the mutation at most REDIS_TIMEOUT_MS: invalidateCaller resolves while Redis is still frozen, and the work completes once it answers', async () => {
    const cache = createGatewayCache({ redis: client, keyPrefix: 'hang:', readWaitMs: 20 });
    // One PRIVATE entry of user-1, tagged as the store tags it (response-cache-redis.ts).
    const key = 'hang:rc:r:entry';
    await client.set(key, '{"data":{}}');
    await client.zadd(`hang:rc:t:${CALLER_ENTITY}:${callerTag('user-1')}`, Date.now() + 60_000, 'entry');
    own.freeze();
    let invalidationDone = false;
    const settled = new Promise<void>((resolve) => {
      void cache.invalidateCaller('user-1').then(() => {
        invalidationDone = true;
        resolve();
      });
    });
    // Resolves with Redis frozen (this test thaws it only afterwards).
    await settled;
    expect(invalidationDone).toBe(true);
    own.thaw();
    // The invalidation went on in the background and drops the entry once Redis answers.
    await expect.poll(() => client.exists(key), { timeout: 10_000 }).toBe(0);
  });
});
