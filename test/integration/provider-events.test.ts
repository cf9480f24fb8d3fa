// Provider events on two gateway instances sharing one Redis (a unique key prefix per run): a signed
// webhook delivered to instance A drops the entries instance B serves (through its node:http lane),
// and only those; refusals invalidate nothing; ids are processed once; both secrets of a rotation
// are accepted; the admin API, the CDN tags and the purge hook. Time is a manual clock (the
// signatures' timestamps are checked against it).
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { mintDevToken } from '../../src/dev/dev-jwt';
import { signatureHeaderOf } from '../../src/plugins/provider-events/signature';
import { buildConfig, parseEnv } from '../../src/server/config';
import { demoEnv } from '../../src/dev/demo-env';
import { createGateway, type Gateway } from '../../src/server/gateway';
import { startNodeServer, type NodeServerHandle } from '../../src/server/node-server';
import { createRedis, redisReady, type Redis } from '../../src/server/redis';
import { deleteKeys } from '../helpers/redis-keys';
import { createManualClock } from '../helpers/manual-clock';
import { startWorld, type World } from '../helpers/world';

const REDIS_URL = 'redis://127.0.0.1:6379';
const PREFIX = `bff-test:${randomUUID()}:`;
const CURRENT = 'catalog-current-secret';
const PREVIOUS = 'catalog-previous-secret';
const ORDERS_SECRET = 'orders-webhook-secret';
const ADMIN_TOKEN = 'cache-admin-token-for-tests';
const PURGE_TOKEN = 'purge-token-for-tests';
const MAX_BODY = 2048;
const TOLERANCE_SECONDS = 300;

interface ManifestOperation {
  readonly id: string;
  readonly name: string;
}
const manifest = JSON.parse(readFileSync('persisted-queries/manifest.json', 'utf8')) as { operations: ManifestOperation[] };
const PRODUCT_DETAIL = manifest.operations.find((op) => op.name === 'ProductDetail')?.id ?? '';
const MY_ORDERS = '{ orders(first: 5) { edges { node { id status } } } }';

// Started at the real time once (a whole second, so that the tolerance is tested to the second), so that the dev tokens minted below are not "from the future"; it never moves by itself.
const clock = createManualClock({ start: Math.floor(Date.now() / 1000) * 1000 });
let world: World;
let gatewayB: Gateway;
let serverA: NodeServerHandle;
let serverB: NodeServerHandle;
let admin: Redis;
let purge: { server: Server; url: string; calls: { body: unknown; authorization: string | undefined }[]; waiters: (() => void)[] };
const tokens = new Map<string, string>();

/** Resolves once the purge hook has been called `n` times in all. */
function purgeCalls(n: number): Promise<void> {
  if (purge.calls.length >= n) return Promise.resolve();
  return new Promise((resolve) => purge.waiters.push(() => (purge.calls.length >= n ? resolve() : undefined)));
}

async function startPurgeServer(): Promise<typeof purge> {
  const state: typeof purge = { server: createServer(), url: '', calls: [], waiters: [] };
  state.server.on('request', (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      state.calls.push({ body: JSON.parse(Buffer.concat(chunks).toString('utf8')), authorization: req.headers.authorization });
      res.writeHead(202).end();
      for (const wake of state.waiters) wake();
    });
  });
  await new Promise<void>((resolve) => state.server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(state.server.address() as AddressInfo).port}/purge`;
  return state;
}

function productUrl(base: string, id: string): string {
  const params = new URLSearchParams({ extensions: JSON.stringify({ persistedQuery: { version: 1, sha256Hash: PRODUCT_DETAIL } }), variables: JSON.stringify({ id }) });
  return `${base}/api/graphql?${params}`;
}

interface ProductAnswer {
  readonly status: number;
  readonly cache: string | null;
  readonly headers: Headers;
  readonly priceCents: number | undefined;
}

/** The product page from instance B over node:http (the cached-GET lane answers its hits). */
async function productFromB(id: string): Promise<ProductAnswer> {
  const res = await fetch(productUrl(serverB.url, id), { headers: { accept: 'application/graphql-response+json' } });
  const body = (await res.json()) as { data?: { product?: { priceCents?: number } } };
  return { status: res.status, cache: res.headers.get('x-response-cache'), headers: res.headers, priceCents: body.data?.product?.priceCents };
}

async function myOrdersOnB(user: string): Promise<string | null> {
  const token = tokens.get(user) ?? '';
  const res = await gatewayB.yoga.fetch('http://gateway/api/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: MY_ORDERS }),
  });
  expect(res.status).toBe(200);
  await res.text();
  return res.headers.get('x-response-cache');
}

interface SendOptions {
  readonly provider?: string;
  readonly secret?: string;
  readonly timestampSeconds?: number;
  readonly signature?: string | null;
  readonly to?: Gateway;
}

async function send(event: unknown, options: SendOptions = {}): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const body = typeof event === 'string' ? event : JSON.stringify(event);
  const t = options.timestampSeconds ?? Math.floor(clock.now() / 1000);
  const signature = options.signature === undefined ? signatureHeaderOf(options.secret ?? CURRENT, body, t) : options.signature;
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (signature !== null) headers['webhook-signature'] = signature;
  const res = await (options.to ?? world.gateway).yoga.fetch(`http://gateway/api/webhooks/${options.provider ?? 'catalog'}`, { method: 'POST', headers, body });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
}

const productUpdated = (id: string, eventId = `evt-${randomUUID()}`) => ({ id: eventId, type: 'product.updated', data: { id } });

/** Fills B's entry for the product and checks the next read is a hit with no catalog call. */
async function cached(id: string): Promise<void> {
  expect((await productFromB(id)).status).toBe(200);
  world.resetCounts();
  expect((await productFromB(id)).cache).toBe('hit');
  expect(world.counts().catalog).toBe(0);
}

async function metric(gateway: Gateway, name: string, labels: Record<string, string>): Promise<number> {
  const metrics = await gateway.telemetry.metrics.registry.getMetricsAsJSON();
  const found = metrics.find((m) => m.name === name);
  const value = found?.values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l));
  return value?.value ?? 0;
}


beforeAll(async () => {
  purge = await startPurgeServer();
  world = await startWorld({
    clock,
    env: {
      NODE_ENV: 'development',
      LOG_LEVEL: 'silent',
      REDIS_URL,
      // Exact shared counts: a Redis call timing out on a loaded machine would fall back to this
      // instance's own limiter and cache (by design, see redis-faults.test.ts), which is not what is tested here.
      REDIS_TIMEOUT_MS: '5000',
      REDIS_KEY_PREFIX: PREFIX,
      RESPONSE_CACHE: '1',
      RATE_LIMIT_REQUESTS_PER_WINDOW: '0',
      RATE_LIMIT_COST_PER_WINDOW: '0',
      RATE_LIMIT_BURST_REQUESTS: '0',
      CATALOG_WEBHOOK_SECRET: CURRENT,
      CATALOG_WEBHOOK_SECRET_PREVIOUS: PREVIOUS,
      ORDERS_WEBHOOK_SECRET: ORDERS_SECRET,
      CACHE_ADMIN_TOKEN: ADMIN_TOKEN,
      CACHE_PURGE_URL: purge.url,
      CACHE_PURGE_TOKEN: PURGE_TOKEN,
      WEBHOOK_MAX_BODY_BYTES: String(MAX_BODY),
      WEBHOOK_TOLERANCE_SECONDS: String(TOLERANCE_SECONDS),
    },
  });
  gatewayB = createGateway(world.config, { clock });
  serverA = await startNodeServer(world.gateway.yoga);
  serverB = await startNodeServer(gatewayB.yoga);
  admin = createRedis(REDIS_URL);
  for (const redis of [world.gateway.redis, gatewayB.redis, admin]) expect(redis && (await redisReady(redis))).toBe(true);
  for (const user of ['user-1', 'user-2']) tokens.set(user, await mintDevToken(user));
});
afterAll(async () => {
  await deleteKeys(admin, PREFIX);
  await admin.quit();
  await serverA.close();
  await serverB.close();
  await gatewayB.close();
  await world.close();
  await new Promise<void>((resolve) => purge.server.close(() => resolve()));
});
beforeEach(() => world.resetCounts());

describe('a provider event on two instances sharing Redis', () => {
  it('sent to instance A drops the entry instance B serves, and only that entry', async () => {
    await cached('prod-11');
    await cached('prod-12');
    const answer = await send(productUpdated('prod-11'));
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ status: 'invalidated', tags: ['Product:prod-11', 'Product:*'] });
    world.resetCounts();
    expect((await productFromB('prod-11')).cache).toBe('miss');
    expect(world.upstreams.catalog.count({ method: 'GET', path: '/products*' })).toBe(1);
    expect((await productFromB('prod-12')).cache).toBe('hit');
    expect(world.counts().catalog).toBe(1);
  });

  it('from the simulated catalog: a price change reaches the cached page', async () => {
    world.upstreams.catalog.announceTo({ url: `${serverA.url}/api/webhooks/catalog`, secret: CURRENT, now: () => clock.now() });
    await cached('prod-13');
    const before = await productFromB('prod-13');
    const delivery = await world.upstreams.catalog.setPrice('prod-13', 12_345);
    expect(delivery?.status).toBe(200);
    expect(JSON.parse(delivery?.body ?? '{}')).toMatchObject({ status: 'invalidated', tags: ['Product:prod-13', 'Product:*'] });
    world.resetCounts();
    const after = await productFromB('prod-13');
    expect(before.priceCents).not.toBe(12_345);
    expect(after).toMatchObject({ cache: 'miss', priceCents: 12_345 });
    expect(world.counts().catalog).toBe(1);
  });

  it('an order status change drops that order and its customer’s private answers, not another customer’s', async () => {
    expect(await myOrdersOnB('user-1')).toBe('miss');
    expect(await myOrdersOnB('user-2')).toBe('miss');
    expect(await myOrdersOnB('user-1')).toBe('hit');
    const answer = await send({ id: `evt-${randomUUID()}`, type: 'order.status_changed', data: { id: 'ord-1', customerId: 'user-1' } }, { provider: 'orders', secret: ORDERS_SECRET });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ status: 'invalidated', tags: ['Order:ord-1', 'Order:*'] });
    world.resetCounts();
    expect(await myOrdersOnB('user-1')).toBe('miss');
    expect(await myOrdersOnB('user-2')).toBe('hit');
    expect(world.counts().orders).toBe(1);
  });
});

describe('refused provider events invalidate nothing', () => {
  it.each([
    ['a bad signature', { signature: `t=${Math.floor(clock.now() / 1000)},v1=${'0'.repeat(64)}` }],
    ['a signature by an unknown secret', { secret: 'not-one-of-ours' }],
    ['a stale timestamp (one second past the tolerance)', { timestampSeconds: Math.floor(clock.now() / 1000) - TOLERANCE_SECONDS - 1 }],
    ['a timestamp from the future past the tolerance', { timestampSeconds: Math.floor(clock.now() / 1000) + TOLERANCE_SECONDS + 1 }],
    ['a missing signature header', { signature: null }],
    ['a malformed signature header', { signature: 'v1=abc' }],
  ] as const)('%s → 401', async (_name, options) => {
    await cached('prod-21');
    const refusedBefore = await metric(world.gateway, 'bff_provider_events_total', { provider: 'catalog', outcome: 'refused_signature' });
    const answer = await send(productUpdated('prod-21'), options);
    expect(answer.status).toBe(401);
    expect(answer.headers.get('www-authenticate')).toBe('Signature');
    expect((answer.body['errors'] as { extensions: { code: string; requestId: string } }[])[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED', requestId: expect.any(String) });
    expect(await metric(world.gateway, 'bff_provider_events_total', { provider: 'catalog', outcome: 'refused_signature' })).toBe(refusedBefore + 1);
    expect((await productFromB('prod-21')).cache).toBe('hit');
    expect(world.counts().catalog).toBe(0);
  });

  it('a timestamp exactly at the tolerance is accepted', async () => {
    await cached('prod-22');
    const answer = await send(productUpdated('prod-22'), { timestampSeconds: Math.floor(clock.now() / 1000) - TOLERANCE_SECONDS });
    expect(answer.status).toBe(200);
    expect((await productFromB('prod-22')).cache).toBe('miss');
  });

  it('an oversized body → 413 (declared or streamed), a body at the limit is processed', async () => {
    await cached('prod-23');
    const event = productUpdated('prod-23');
    const padded = (size: number) => {
      const base = JSON.stringify({ ...event, pad: '' });
      return JSON.stringify({ ...event, pad: 'x'.repeat(size - base.length) });
    };
    const over = await send(padded(MAX_BODY + 1));
    expect(over.status).toBe(413);
    expect((over.body['errors'] as { extensions: { code: string } }[])[0]?.extensions.code).toBe('BAD_REQUEST');
    // Streamed without a Content-Length: cut off at the limit.
    const bytes = new TextEncoder().encode(padded(MAX_BODY + 1));
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(bytes.slice(0, 1000));
        controller.enqueue(bytes.slice(1000));
        controller.close();
      },
    });
    const t = Math.floor(clock.now() / 1000);
    const streamed = await world.gateway.yoga.fetch(
      new Request('http://gateway/api/webhooks/catalog', { method: 'POST', headers: { 'webhook-signature': signatureHeaderOf(CURRENT, bytes, t) }, body: stream, duplex: 'half' } as RequestInit & { duplex: 'half' }),
    );
    expect(streamed.status).toBe(413);
    expect((await productFromB('prod-23')).cache).toBe('hit');
    expect(world.counts().catalog).toBe(0);
    const atLimit = await send(padded(MAX_BODY));
    expect(atLimit.status).toBe(200);
    expect((await productFromB('prod-23')).cache).toBe('miss');
  });

  it('an unknown event type → 202, counted, nothing invalidated', async () => {
    await cached('prod-24');
    const before = await metric(world.gateway, 'bff_provider_events_total', { provider: 'catalog', type: 'unknown', outcome: 'unknown_type' });
    const answer = await send({ id: `evt-${randomUUID()}`, type: 'product.discontinued', data: { id: 'prod-24' } });
    expect(answer.status).toBe(202);
    expect(answer.body).toMatchObject({ status: 'ignored' });
    expect(await metric(world.gateway, 'bff_provider_events_total', { provider: 'catalog', type: 'unknown', outcome: 'unknown_type' })).toBe(before + 1);
    expect((await productFromB('prod-24')).cache).toBe('hit');
  });

  it('a declared event whose data breaks its schema → 400, nothing invalidated', async () => {
    await cached('prod-25');
    const answer = await send({ id: `evt-${randomUUID()}`, type: 'product.updated', data: { id: 25 } });
    expect(answer.status).toBe(400);
    const envelope = await send({ type: 'product.updated', data: { id: 'prod-25' } });
    expect(envelope.status).toBe(400);
    expect((await productFromB('prod-25')).cache).toBe('hit');
  });

  it('Redis failing under the replay guard → 503 OVERLOADED with Retry-After, counted as failed; the retry is processed', async () => {
    await cached('prod-26');
    const gateway = createGateway(world.config, { clock });
    try {
      expect(gateway.redis && (await redisReady(gateway.redis))).toBe(true);
      // Its connection gone (no offline queue): the claim's SET is refused at once.
      gateway.redis?.disconnect();
      const failedBefore = await metric(gateway, 'bff_provider_events_total', { provider: 'catalog', type: 'product.updated', outcome: 'failed' });
      const event = productUpdated('prod-26');
      const answer = await send(event, { to: gateway });
      expect(answer.status).toBe(503);
      expect(answer.headers.get('retry-after')).toBe('5');
      expect((answer.body['errors'] as { extensions: Record<string, unknown> }[])[0]?.extensions).toMatchObject({ code: 'OVERLOADED', requestId: expect.any(String) });
      expect(await metric(gateway, 'bff_provider_events_total', { provider: 'catalog', type: 'product.updated', outcome: 'failed' })).toBe(failedBefore + 1);
      expect((await productFromB('prod-26')).cache).toBe('hit');
      // The provider's retry, to a healthy instance: the id was never claimed, so it is processed.
      expect((await send(event)).body).toMatchObject({ status: 'invalidated' });
      expect((await productFromB('prod-26')).cache).toBe('miss');
    } finally {
      await gateway.close();
    }
  });

  it('a provider without a webhook secret, or no such provider → 404', async () => {
    for (const provider of ['reviews', 'accounts', 'nope', 'Catalog', 'a'.repeat(40)]) {
      const answer = await send(productUpdated('prod-1'), { provider });
      expect([provider, answer.status]).toEqual([provider, 404]);
    }
  });
});

describe('replays and rotation', () => {
  it('the same event id twice → one invalidation (the second, on the other instance, answers 200 and does nothing)', async () => {
    await cached('prod-31');
    const event = productUpdated('prod-31');
    const before = await metric(world.gateway, 'bff_cache_invalidations_total', { source: 'webhook' });
    expect((await send(event)).body).toMatchObject({ status: 'invalidated' });
    await cached('prod-31');
    const replayedBefore = await metric(gatewayB, 'bff_provider_events_total', { provider: 'catalog', outcome: 'replayed' });
    const again = await send(event, { to: gatewayB });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ status: 'replayed' });
    expect(await metric(gatewayB, 'bff_provider_events_total', { provider: 'catalog', outcome: 'replayed' })).toBe(replayedBefore + 1);
    expect(await metric(world.gateway, 'bff_cache_invalidations_total', { source: 'webhook' })).toBe(before + 1);
    expect((await productFromB('prod-31')).cache).toBe('hit');
    expect(world.counts().catalog).toBe(0);
  });

  it('during a rotation both the current and the previous secret are accepted', async () => {
    await cached('prod-32');
    expect((await send(productUpdated('prod-32'), { secret: PREVIOUS })).status).toBe(200);
    expect((await productFromB('prod-32')).cache).toBe('miss');
    await cached('prod-32');
    expect((await send(productUpdated('prod-32'), { secret: CURRENT })).status).toBe(200);
    expect((await productFromB('prod-32')).cache).toBe('miss');
    // A sender signing with both (its own rotation): one header, two v1.
    await cached('prod-32');
    const event = JSON.stringify(productUpdated('prod-32'));
    const t = Math.floor(clock.now() / 1000);
    const both = `${signatureHeaderOf('a-new-secret-we-lack', event, t)},${signatureHeaderOf(PREVIOUS, event, t).split(',')[1]}`;
    expect((await send(event, { signature: both })).status).toBe(200);
    expect((await productFromB('prod-32')).cache).toBe('miss');
  });
});

describe('the admin invalidation endpoint', () => {
  const call = (body: unknown, authorization?: string) =>
    world.gateway.yoga.fetch('http://gateway/api/admin/invalidate', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(authorization === undefined ? {} : { authorization }) },
      body: JSON.stringify(body),
    });

  it('without its token, or with another one → 401, nothing invalidated', async () => {
    await cached('prod-41');
    for (const authorization of [undefined, 'Bearer wrong-token', `Basic ${ADMIN_TOKEN}`, `Bearer ${ADMIN_TOKEN}x`]) {
      const res = await call({ type: 'Product', id: 'prod-41' }, authorization);
      expect([authorization, res.status, res.headers.get('www-authenticate')]).toEqual([authorization, 401, 'Bearer']);
    }
    expect((await productFromB('prod-41')).cache).toBe('hit');
  });

  it('by type + id, by type and by operation name drop what they name on the other instance', async () => {
    await cached('prod-42');
    await cached('prod-43');
    const byId = await call({ type: 'Product', id: 'prod-42' }, `Bearer ${ADMIN_TOKEN}`);
    expect(byId.status).toBe(200);
    expect(await byId.json()).toMatchObject({ status: 'invalidated', tags: ['Product:prod-42', 'Product:*'] });
    expect((await productFromB('prod-42')).cache).toBe('miss');
    expect((await productFromB('prod-43')).cache).toBe('hit');
    const byOperation = await call({ operation: 'ProductDetail' }, `Bearer ${ADMIN_TOKEN}`);
    expect(await byOperation.json()).toMatchObject({ status: 'invalidated', tags: ['op:ProductDetail'] });
    expect((await productFromB('prod-43')).cache).toBe('miss');
    await cached('prod-43');
    const byType = await call({ type: 'Product' }, `Bearer ${ADMIN_TOKEN}`);
    expect(await byType.json()).toMatchObject({ status: 'invalidated', tags: ['Product'] });
    expect((await productFromB('prod-43')).cache).toBe('miss');
  });

  it('refuses a malformed target with 400', async () => {
    for (const body of [{}, { type: '__Caller', id: 'x' }, { operation: 'not a name' }, { type: 'Product', operation: 'ProductDetail' }, { type: 'Product', id: '' }]) {
      const res = await call(body, `Bearer ${ADMIN_TOKEN}`);
      expect([body, res.status]).toEqual([body, 400]);
    }
  });

  it('answers 404 when CACHE_ADMIN_TOKEN is unset', async () => {
    const gateway = createGateway(buildConfig(parseEnv({ ...demoEnv(world.upstreams), NODE_ENV: 'test', LOG_LEVEL: 'silent' })));
    try {
      const res = await gateway.yoga.fetch('http://gateway/api/admin/invalidate', { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}` }, body: '{"type":"Product"}' });
      expect(res.status).toBe(404);
    } finally {
      await gateway.close();
    }
  });
});

describe('CDN cache tags and the purge hook', () => {
  it('a PUBLIC answer carries Cache-Tag and Surrogate-Key naming its entities, on the miss and on the lane hit alike', async () => {
    const miss = await productFromB('prod-51');
    const hit = await productFromB('prod-51');
    expect([miss.cache, hit.cache]).toEqual(['miss', 'hit']);
    for (const answer of [miss, hit]) {
      expect(answer.headers.get('cache-control')).toMatch(/^public, max-age=/);
      const tags = answer.headers.get('cache-tag')?.split(',') ?? [];
      expect(tags).toEqual(expect.arrayContaining(['Product', 'Product:prod-51', 'Review', 'op:ProductDetail']));
      expect(answer.headers.get('surrogate-key')).toBe(tags.join(' '));
    }
  });

  it('calls the purge hook with the invalidated tags and its token', async () => {
    // The purges of earlier invalidations have landed: the count read here is final.
    await Promise.all([world.gateway.purgesSettled(), gatewayB.purgesSettled()]);
    const seen = purge.calls.length;
    const done = purgeCalls(seen + 1);
    expect((await send(productUpdated('prod-52'))).status).toBe(200);
    await done;
    expect(purge.calls[seen]).toEqual({ body: { tags: ['Product:prod-52', 'Product:*'] }, authorization: `Bearer ${PURGE_TOKEN}` });
  });

  it('close() waits for a purge call still in flight: its outcome is counted before the gateway is closed', async () => {
    // A purge endpoint that holds its answer until the test lets it go.
    let received: () => void = () => undefined;
    const arrived = new Promise<void>((resolve) => (received = resolve));
    const held: ServerResponse[] = [];
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        held.push(res);
        received();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/purge`;
    const gateway = createGateway(buildConfig(parseEnv({ ...demoEnv(world.upstreams), NODE_ENV: 'test', LOG_LEVEL: 'silent', CATALOG_WEBHOOK_SECRET: CURRENT, CACHE_PURGE_URL: url })), { clock });
    try {
      expect((await send(productUpdated('prod-53'), { to: gateway })).status).toBe(200);
      await arrived;
      expect(held).toHaveLength(1);
      const closing = gateway.close();
      held[0]?.writeHead(202).end();
      await closing;
      expect(await metric(gateway, 'bff_cache_purge_calls_total', { outcome: 'ok' })).toBe(1);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
