// The gateway core through its front door (yoga.fetch) against the simulated providers on loopback.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fixtures } from '../../src/dev/upstreams';
import { mintDevToken } from '../../src/dev/dev-jwt';
import { perProvider } from '../../src/providers';
import { startWorld, type World } from '../helpers/world';

const ORDER_PAGE = `{ orders(first: 20) { edges { node { id customer { name } lines { quantity product { title priceCents averageRating reviews { rating author { name } } } } } } } }`;

let world: World;
beforeAll(async () => {
  // No retries here: faults must surface at once (retries are the resilience suite's subject).
  const noRetry = { retry: { maxRetries: 0 } };
  world = await startWorld({ http: perProvider(() => noRetry) });
});
afterAll(() => world.close());
afterEach(() => {
  for (const server of world.upstreams.servers) server.clearFaults();
  world.resetCounts();
});

describe('batching', () => {
  it('loads the lines, products and ratings of one order with one call per provider per level (the lookahead of Query.order)', async () => {
    const order = fixtures.ordersOf('user-1').find((o) => new Set(o.line_items.map((l) => l.sku)).size >= 2);
    if (order === undefined) throw new Error('fixtures: user-1 has no order of two products');
    const res = await world.gql(`{ order(id: "${order.order_id}") { id customer { name } lines { product { title averageRating reviews { author { name } } } } } }`, { as: 'user-1' });
    expect(res.body.errors).toBeUndefined();
    expect(world.counts()).toEqual({ ...world.counts(), orders: 1, accounts: 2, catalog: 1, reviews: 1 });
  });

  it('batches a level the lookahead leaves to execution (under @include) once per provider, not once per item', async () => {
    const res = await world.gql(`{ orders(first: 20) { edges { node { lines { product @include(if: true) { title reviews { author { name } } } } } } } }`, { as: 'user-1' });
    expect(res.body.errors).toBeUndefined();
    expect(world.counts()).toEqual({ ...world.counts(), orders: 1, accounts: 1, catalog: 1, reviews: 1 });
  });

  it('answers the order page with one call per provider per level (orders 1, accounts 2, catalog 1, reviews 1)', async () => {
    await world.gql('{ ping }', { as: 'user-1' }); // warm nothing: loaders are per request; only the OAuth token is cached
    world.resetCounts();
    const res = await world.gql(ORDER_PAGE, { as: 'user-1' });
    expect(res.status).toBe(200);
    expect(res.body.errors).toBeUndefined();

    const expected = fixtures.ordersOf('user-1').slice(0, 20);
    const edges = (res.body.data?.['orders'] as { edges: { node: { id: string; lines: { product: { reviews: unknown[] } }[] } }[] }).edges;
    expect(edges.map((e) => e.node.id)).toEqual(expected.map((o) => o.order_id));

    const counts = world.counts();
    expect(counts.orders).toBe(1);
    expect(counts.accounts).toBe(2); // customers, then review authors: one users(ids:) per level
    expect(counts.catalog).toBe(1);
    expect(counts.reviews).toBe(1);

    // What naive resolvers would have sent: one call per parent at every level.
    const lines = expected.flatMap((o) => o.line_items);
    const reviewCount = lines.reduce((n, l) => n + fixtures.reviewsOf(l.sku).length, 0);
    const naive = 1 + expected.length + lines.length + lines.length + reviewCount;
    const ours = counts.orders + counts.accounts + counts.catalog + counts.reviews;
    expect(ours).toBe(5);
    expect(naive).toBeGreaterThan(60);
    console.info(`order page upstream calls: ours ${ours}, naive ${naive}`);
  });

  it('sends one users(ids:) call with every distinct id of a level', async () => {
    const res = await world.gql('{ a: user(id: "user-2") { name } b: user(id: "user-3") { name } c: user(id: "user-2") { email } }', { as: 'user-1' });
    expect(res.body.errors).toBeUndefined();
    expect(world.upstreams.accounts.count()).toBe(1);
    const body = world.upstreams.accounts.requests[0]?.body as { variables: { ids: string[] } };
    expect(body.variables.ids).toEqual(['user-2', 'user-3']);
  });
});

describe('callers', () => {
  it('answers me for the caller of the token', async () => {
    const res = await world.gql('{ me { id name email } }', { as: 'user-7' });
    expect(res.body.data?.['me']).toEqual({ id: 'user-7', name: fixtures.user('user-7')?.displayName, email: fixtures.user('user-7')?.emailAddress });
  });

  it('says UNAUTHENTICATED for a field that needs a caller when no token is sent', async () => {
    const res = await world.gql('{ me { id } product(id: "prod-1") { title } }');
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({ me: null, product: { title: fixtures.product('prod-1')?.name } });
    expect(res.body.errors?.[0]?.extensions['code']).toBe('UNAUTHENTICATED');
    expect(res.body.errors?.[0]?.path).toEqual(['me']);
  });

  it('refuses a bad or expired token with 401 UNAUTHENTICATED before any provider is called', async () => {
    const forged = await mintDevToken('user-1', { secret: 'another-secret-another-secret-0123456789' });
    const expired = await mintDevToken('user-1', { expiresIn: Math.floor(Date.now() / 1000) - 3600 });
    for (const token of [forged, expired, 'not-a-jwt']) {
      const res = await world.gql('{ me { id } }', { headers: { authorization: `Bearer ${token}` } });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
      expect(res.body.errors?.[0]?.extensions['code']).toBe('UNAUTHENTICATED');
    }
    expect(world.upstreams.accounts.count()).toBe(0);
  });

  it("says NOT_FOUND for another customer's order, as for a missing one", async () => {
    const foreign = fixtures.ordersOf('user-2')[0];
    const res = await world.gql(`{ order(id: "${foreign?.order_id}") { id } }`, { as: 'user-1' });
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({ order: null });
    expect(res.body.errors?.[0]?.extensions['code']).toBe('NOT_FOUND');
  });

  it('says NOT_FOUND for an unknown product, order or user', async () => {
    const res = await world.gql('{ product(id: "prod-99999") { id } order(id: "ord-99999") { id } user(id: "user-99999") { id } }', { as: 'user-1' });
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({ product: null, order: null, user: null });
    expect(res.body.errors?.map((e) => e.extensions['code'])).toEqual(['NOT_FOUND', 'NOT_FOUND', 'NOT_FOUND']);
  });
});

describe('provider failures', () => {
  it('turns a provider answer that breaks its contract into UPSTREAM_BAD_RESPONSE, not a crash', async () => {
    world.upstreams.catalog.fault({ kind: 'malformed' });
    const res = await world.gql('{ product(id: "prod-1") { title } ping }');
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({ product: null, ping: true });
    expect(res.body.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_BAD_RESPONSE', provider: 'catalog' });
    expect(JSON.stringify(res.body)).not.toContain(world.upstreams.urls.catalog);
  });

  it('still answers the other fields when one provider fails (partial data)', async () => {
    world.upstreams.accounts.fault({ kind: 'status', status: 503 });
    const res = await world.gql('{ me { name } product(id: "prod-2") { title priceCents } }', { as: 'user-1' });
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({ me: null, product: { title: fixtures.product('prod-2')?.name, priceCents: fixtures.product('prod-2')?.price.amount } });
    expect(res.body.errors).toHaveLength(1);
    expect(res.body.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', provider: 'accounts', retryable: true });
  });

  it('answers 503 when nothing resolved because the only provider is down', async () => {
    world.upstreams.catalog.fault({ kind: 'status', status: 502 });
    const res = await world.gql('{ product(id: "prod-1") { title } }');
    expect(res.status).toBe(503);
    expect(res.body.errors?.[0]?.extensions['code']).toBe('UPSTREAM_UNAVAILABLE');
  });
});

describe('request ids', () => {
  it('echoes a sane x-request-id and sends it to every provider it calls', async () => {
    const id = 'req-test-1234';
    const res = await world.gql(ORDER_PAGE, { as: 'user-1', headers: { 'x-request-id': id } });
    expect(res.headers.get('x-request-id')).toBe(id);
    for (const name of ['orders', 'catalog', 'accounts', 'reviews'] as const) {
      const seen = world.upstreams[name].requests.map((r) => r.headers['x-request-id']);
      expect(seen.length).toBeGreaterThan(0);
      expect(new Set(seen)).toEqual(new Set([id]));
    }
  });

  it('replaces an insane x-request-id with a fresh one and puts it on every error', async () => {
    const res = await world.gql('{ me { id } }', { headers: { 'x-request-id': 'bad id\r\nx: y' } });
    const id = res.headers.get('x-request-id');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.body.errors?.[0]?.extensions['requestId']).toBe(id);
  });
});

describe('mutations', () => {
  it('places an order with an idempotency key and answers a replay with the same order', async () => {
    const mutation = 'mutation($key: String!) { placeOrder(idempotencyKey: $key, input: { lines: [{ productId: "prod-3", quantity: 2 }] }) { id totalCents customer { id } lines { quantity product { id } } } }';
    const first = await world.gql(mutation, { as: 'user-5', variables: { key: 'order-key-0001' } });
    expect(first.body.errors).toBeUndefined();
    const order = first.body.data?.['placeOrder'] as { id: string; totalCents: number };
    expect(order).toMatchObject({ customer: { id: 'user-5' }, lines: [{ quantity: 2, product: { id: 'prod-3' } }] });
    expect(order.totalCents).toBe(2 * (fixtures.product('prod-3')?.price.amount ?? 0));
    const replay = await world.gql(mutation, { as: 'user-5', variables: { key: 'order-key-0001' } });
    expect((replay.body.data?.['placeOrder'] as { id: string }).id).toBe(order.id);
    expect(world.upstreams.orders.createdOrders().filter((o) => o.order_id === order.id)).toHaveLength(1);
  });

  it('rejects a malformed idempotency key with BAD_USER_INPUT without calling the provider', async () => {
    const res = await world.gql('mutation { placeOrder(idempotencyKey: "x", input: { lines: [{ productId: "prod-3", quantity: 1 }] }) { id } }', { as: 'user-5' });
    expect(res.body.errors?.[0]?.extensions['code']).toBe('BAD_USER_INPUT');
    expect(world.upstreams.orders.count({ method: 'POST' })).toBe(0);
  });

  it('maps a reused key with a different payload to IDEMPOTENCY_KEY_REUSED', async () => {
    const place = (qty: number) =>
      world.gql(`mutation { placeOrder(idempotencyKey: "order-key-0002", input: { lines: [{ productId: "prod-4", quantity: ${qty} }] }) { id } }`, { as: 'user-5' });
    expect((await place(1)).body.errors).toBeUndefined();
    const res = await place(3);
    expect(res.body.errors?.[0]?.extensions['code']).toBe('IDEMPOTENCY_KEY_REUSED');
  });
});

describe('pagination', () => {
  it('walks the caller orders with cursors without gaps or repeats', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    for (let i = 0; i < 10; i++) {
      const res = await world.gql('query($after: String) { orders(first: 7, after: $after) { edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }', {
        as: 'user-1',
        variables: { after },
      });
      const conn = res.body.data?.['orders'] as { edges: { node: { id: string } }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
      seen.push(...conn.edges.map((e) => e.node.id));
      if (!conn.pageInfo.hasNextPage) break;
      after = conn.pageInfo.endCursor;
    }
    expect(seen).toEqual(fixtures.ordersOf('user-1').map((o) => o.order_id));
  });

  it('rejects a page size over 100 and a forged cursor with BAD_USER_INPUT', async () => {
    const res = await world.gql('{ products(first: 101) { edges { node { id } } } }');
    expect(res.body.errors?.[0]?.extensions['code']).toBe('BAD_USER_INPUT');
    const forged = await world.gql('{ products(first: 5, after: "Zm9v") { edges { node { id } } } }');
    expect(forged.body.errors?.[0]?.extensions['code']).toBe('BAD_USER_INPUT');
  });
});
