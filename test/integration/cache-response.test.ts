// The response cache (in memory) through the front door: who may read an entry, what is never
// stored, what a mutation drops, and ETag revalidation. Provider request counts prove hits.
import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { mintDevToken } from '../../src/dev/dev-jwt';
import { fixtures } from '../../src/dev/upstreams';
import { startWorld, type World } from '../helpers/world';

const PRODUCT = '{ product(id: "prod-1") { id title priceCents } }';
// The client's Catalogue operation (persisted-queries/operations/catalogue.graphql), sent in full.
const CATALOGUE_PAGE = `query Catalogue($first: Int = 20, $after: String) {
  products(first: $first, after: $after) { edges { cursor node { ...ProductCard inStock } } pageInfo { hasNextPage endCursor } }
}
fragment ProductCard on Product { id title priceCents currency averageRating }`;
const ME = '{ me { id name email } }';
const MY_ORDERS = '{ orders(first: 50) { edges { node { id totalCents } } } }';

let world: World;
beforeAll(async () => {
  world = await startWorld({ env: { RESPONSE_CACHE: '1' } });
});
afterAll(() => world.close());
afterEach(() => {
  world.upstreams.catalog.clearFaults();
  world.resetCounts();
});

const cacheStatus = (res: { headers: Headers }) => res.headers.get('x-response-cache');
// Sent as Apollo Client sends it; only a GET with a Cookie needs it (CSRF prevention, csrf-prevention.ts).
const PREFLIGHT = { 'apollo-require-preflight': 'true' };

interface ManifestOperation {
  id: string;
  name: string;
}
const manifest = JSON.parse(readFileSync('persisted-queries/manifest.json', 'utf8')) as { operations: ManifestOperation[] };
const CATALOGUE_ID = manifest.operations.find((o) => o.name === 'Catalogue')?.id ?? '';

/** A GET of a persisted operation by hash only, as a web client sends it. */
async function getPersisted(id: string, variables: Record<string, unknown>, headers: Record<string, string> = {}) {
  const params = new URLSearchParams({ extensions: JSON.stringify({ persistedQuery: { version: 1, sha256Hash: id } }), variables: JSON.stringify(variables) });
  const res = await world.gateway.yoga.fetch(`http://gateway/api/graphql?${params}`, { headers: { accept: 'application/graphql-response+json', ...PREFLIGHT, ...headers } });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text };
}

describe('PUBLIC data', () => {
  it('is fetched once and served from the cache to every caller, anonymous or not', async () => {
    const first = await world.gql(PRODUCT, { as: 'user-1' });
    const second = await world.gql(PRODUCT, { as: 'user-2' });
    const anonymous = await world.gql(PRODUCT);
    expect(first.body).toEqual({ data: { product: { id: 'prod-1', title: fixtures.product('prod-1')?.name, priceCents: fixtures.product('prod-1')?.price.amount } } });
    expect(second.body).toEqual(first.body);
    expect(anonymous.body).toEqual(first.body);
    expect([cacheStatus(first), cacheStatus(second), cacheStatus(anonymous)]).toEqual(['miss', 'hit', 'hit']);
    expect(world.counts().catalog).toBe(1);
  });

  it('serves the catalogue page from one upstream fan-out for 100 requests of 10 callers', async () => {
    const statuses: (string | null)[] = [];
    for (let i = 0; i < 100; i++) {
      const res = await world.gql(CATALOGUE_PAGE, { as: `reader-${i % 10}`, variables: { first: 20 } });
      expect(res.status).toBe(200);
      statuses.push(cacheStatus(res));
    }
    const hits = statuses.filter((s) => s === 'hit').length;
    const misses = statuses.filter((s) => s === 'miss').length;
    expect({ hits, misses }).toEqual({ hits: 99, misses: 1 });
    // One miss: one catalogue page, one batch of reviews (for the ratings).
    expect(world.counts()).toMatchObject({ catalog: 1, reviews: 1, accounts: 0 });
    console.info(`catalogue page, 100 requests from 10 callers: ${hits} hits, ${misses} misses (hit ratio ${hits / 100})`);
  });

  it('still refuses a bad token with 401 on a query whose answer is cached', async () => {
    await world.gql(PRODUCT);
    const res = await world.gql(PRODUCT, { headers: { authorization: 'Bearer not.a.jwt' } });
    expect(res.status).toBe(401);
    expect(res.body.errors?.[0]?.extensions['code']).toBe('UNAUTHENTICATED');
  });
});

describe('PRIVATE data', () => {
  it('is cached per caller and never served to another caller', async () => {
    const a1 = await world.gql(ME, { as: 'user-1' });
    const a2 = await world.gql(ME, { as: 'user-1' });
    const b1 = await world.gql(ME, { as: 'user-2' });
    const b2 = await world.gql(ME, { as: 'user-2' });
    expect((a1.body.data?.['me'] as { id: string }).id).toBe('user-1');
    expect(a2.body).toEqual(a1.body);
    expect((b1.body.data?.['me'] as { id: string; email: string }).id).toBe('user-2');
    expect((b1.body.data?.['me'] as { email: string }).email).toBe(fixtures.user('user-2')?.emailAddress);
    expect(b2.body).toEqual(b1.body);
    expect([cacheStatus(a1), cacheStatus(a2), cacheStatus(b1), cacheStatus(b2)]).toEqual(['miss', 'hit', 'miss', 'hit']);
    expect(world.counts().accounts).toBe(2);
  });

  it('keys caller-dependent fields per caller even when no private type is selected', async () => {
    // Query.orders is PRIVATE (it answers for the caller); Product gives the answer a TTL.
    const query = '{ orders(first: 1) { pageInfo { hasNextPage } } product(id: "prod-1") { title } }';
    const statuses = [];
    for (const user of ['user-1', 'user-2', 'user-1', 'user-2']) statuses.push(cacheStatus(await world.gql(query, { as: user })));
    expect(statuses).toEqual(['miss', 'miss', 'hit', 'hit']);
    expect(world.counts().orders).toBe(2);
  });

  it('is never stored for an anonymous caller', async () => {
    const first = await world.gql('{ orders(first: 1) { pageInfo { hasNextPage } } }');
    const second = await world.gql('{ orders(first: 1) { pageInfo { hasNextPage } } }');
    expect(first.body.errors?.[0]?.extensions['code']).toBe('UNAUTHENTICATED');
    expect([cacheStatus(first), cacheStatus(second)]).toEqual(['uncacheable', 'uncacheable']);
  });
});

describe('errors', () => {
  it('are never cached: the next request calls the provider again', async () => {
    const query = '{ product(id: "prod-7") { title } }';
    world.upstreams.catalog.fault({ kind: 'status', status: 500 }, { times: 10 });
    const failed = await world.gql(query);
    expect(failed.body.errors?.[0]?.extensions['code']).toBe('UPSTREAM_UNAVAILABLE');
    expect(cacheStatus(failed)).toBe('uncacheable');
    world.upstreams.catalog.clearFaults();
    const callsBefore = world.counts().catalog;

    const ok = await world.gql(query);
    expect(ok.body).toEqual({ data: { product: { title: fixtures.product('prod-7')?.name } } });
    expect(cacheStatus(ok)).toBe('miss');
    expect(world.counts().catalog).toBe(callsBefore + 1);
    expect(cacheStatus(await world.gql(query))).toBe('hit');
  });
});

describe('mutations', () => {
  it('placeOrder drops the caller’s cached orders list (and nobody else’s)', async () => {
    const mine = await world.gql(MY_ORDERS, { as: 'user-3' });
    await world.gql(MY_ORDERS, { as: 'user-4' });
    expect(cacheStatus(await world.gql(MY_ORDERS, { as: 'user-3' }))).toBe('hit');
    const ordersCalls = world.counts().orders;

    const placed = await world.gql('mutation { placeOrder(idempotencyKey: "cache-key-0001", input: { lines: [{ productId: "prod-2", quantity: 1 }] }) { id } }', { as: 'user-3' });
    expect(placed.body.errors).toBeUndefined();
    const newId = (placed.body.data?.['placeOrder'] as { id: string }).id;

    const after = await world.gql(MY_ORDERS, { as: 'user-3' });
    expect(cacheStatus(after)).toBe('miss');
    const ids = (after.body.data?.['orders'] as { edges: { node: { id: string } }[] }).edges.map((e) => e.node.id);
    const before = (mine.body.data?.['orders'] as { edges: { node: { id: string } }[] }).edges.map((e) => e.node.id);
    expect(ids).toEqual([...before, newId]);
    expect(world.counts().orders).toBe(ordersCalls + 2); // the POST and the fresh list
    expect(cacheStatus(await world.gql(MY_ORDERS, { as: 'user-4' }))).toBe('hit');
  });

  it('drops cached answers that contain an entity the mutation returned', async () => {
    const query = '{ product(id: "prod-9") { id title } }';
    await world.gql(query);
    expect(cacheStatus(await world.gql(query))).toBe('hit');
    await world.gql('mutation { placeOrder(idempotencyKey: "cache-key-0002", input: { lines: [{ productId: "prod-9", quantity: 1 }] }) { id lines { product { id } } } }', { as: 'user-5' });
    expect(cacheStatus(await world.gql(query))).toBe('miss');
  });
});

describe('mutations on persisted (compiled) operations', () => {
  // Persisted operations execute through graphql-jit: the cache must still see the entities of their
  // answers (it wraps the executor it finds), or a mutation could not drop what it changed.
  it('a persisted PlaceOrder drops the cached persisted ProductDetail of the product it returned', async () => {
    // envelop's cache warns when a later plugin replaced its executor (graphql-jit placed after it).
    const warn = vi.spyOn(console, 'warn');
    const productDetail = manifest.operations.find((o) => o.name === 'ProductDetail')?.id ?? '';
    const placeOrder = manifest.operations.find((o) => o.name === 'PlaceOrder')?.id ?? '';
    expect(await getPersisted(productDetail, { id: 'prod-14' })).toMatchObject({ status: 200 });
    expect(cacheStatus(await getPersisted(productDetail, { id: 'prod-14' }))).toBe('hit');
    const placed = await world.gateway.yoga.fetch('http://gateway/api/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', authorization: `Bearer ${await mintDevToken('user-6')}` },
      body: JSON.stringify({
        variables: { input: { lines: [{ productId: 'prod-14', quantity: 1 }] }, idempotencyKey: 'cache-key-0004' },
        extensions: { persistedQuery: { version: 1, sha256Hash: placeOrder } },
      }),
    });
    expect(placed.status).toBe(200);
    expect(((await placed.json()) as { errors?: unknown }).errors).toBeUndefined();
    expect(cacheStatus(await getPersisted(productDetail, { id: 'prod-14' }))).toBe('miss');
    expect(warn.mock.calls.flat().filter((m) => String(m).includes('useResponseCache'))).toEqual([]);
    warn.mockRestore();
  });
});

describe('ETag', () => {
  it('answers 304 to a GET whose If-None-Match is the ETag of a cached answer', async () => {
    const query = '{ product(id: "prod-11") { title } }';
    const first = await world.gql(query, { method: 'GET', headers: PREFLIGHT });
    const etag = first.headers.get('etag');
    expect(first.status).toBe(200);
    expect(etag).toMatch(/^"[0-9a-f]{32}"$/);
    expect(first.headers.get('cache-control')).toBe('private, no-cache');
    expect(first.headers.get('last-modified')).not.toBeNull();

    const revalidated = await world.gql(query, { method: 'GET', headers: { ...PREFLIGHT, 'if-none-match': etag ?? '' } });
    expect(revalidated.status).toBe(304);
    expect(revalidated.body).toEqual({});
    expect(revalidated.headers.get('etag')).toBe(etag);
    expect(revalidated.headers.get('x-request-id')).not.toBeNull();
    expect(revalidated.headers.get('content-type')).toBeNull();
    expect(cacheStatus(revalidated)).toBe('not-modified');
    expect(world.counts().catalog).toBe(1);

    const stale = await world.gql(query, { method: 'GET', headers: { ...PREFLIGHT, 'if-none-match': 'W/"0000"' } });
    expect(stale.status).toBe(200);
    expect(cacheStatus(stale)).toBe('hit');
  });

  it('revalidates a GET of a persisted operation (hash only) with 304', async () => {
    expect(CATALOGUE_ID).toMatch(/^[0-9a-f]{64}$/);
    const first = await getPersisted(CATALOGUE_ID, { first: 5 });
    expect(first.status).toBe(200);
    expect((JSON.parse(first.text) as { data: { products: { edges: unknown[] } } }).data.products.edges).toHaveLength(5);
    const etag = first.headers.get('etag') ?? '';
    expect(etag).toMatch(/^"[0-9a-f]{32}"$/);
    const revalidated = await getPersisted(CATALOGUE_ID, { first: 5 }, { 'if-none-match': etag });
    expect(revalidated.status).toBe(304);
    expect(revalidated.text).toBe('');
    // Other variables are another answer: no 304 with that ETag, and one more upstream page.
    const other = await getPersisted(CATALOGUE_ID, { first: 6 }, { 'if-none-match': etag });
    expect(other.status).toBe(200);
    expect(other.headers.get('etag')).not.toBe(etag);
    expect(world.counts().catalog).toBe(2);
  });

  it('does not revalidate an ETag whose data changed since (the caller placed an order)', async () => {
    const list = () => world.gql(MY_ORDERS, { as: 'user-12', method: 'GET', headers: { ...PREFLIGHT, 'if-none-match': etag } });
    let etag = '';
    const first = await list();
    etag = first.headers.get('etag') ?? '';
    expect((await list()).status).toBe(304);
    await world.gql('mutation { placeOrder(idempotencyKey: "cache-key-0003", input: { lines: [{ productId: "prod-2", quantity: 1 }] }) { id } }', { as: 'user-12' });
    const changed = await list();
    expect(changed.status).toBe(200);
    expect(changed.headers.get('etag')).not.toBe(etag);
  });

  it('gives each caller its own ETag for private answers', async () => {
    const a = await world.gql(ME, { as: 'user-6', method: 'GET', headers: PREFLIGHT });
    const b = await world.gql(ME, { as: 'user-7', method: 'GET', headers: PREFLIGHT });
    expect(a.headers.get('etag')).toMatch(/^"[0-9a-f]{32}"$/);
    expect(b.headers.get('etag')).not.toBe(a.headers.get('etag'));
    expect(a.headers.get('etag')).not.toContain('user-6');
  });
});
