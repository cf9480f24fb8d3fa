// Id arguments are checked at each provider's boundary (issue 17, finding 9): dot segments, a comma
// inside a list, a huge id never reach a provider; 400 BAD_USER_INPUT when nothing else resolved, a
// field error beside the fields that did; the message names the argument, never the value.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { NO_CALLS, startWorld, type GqlResponse, type World } from '../helpers/world';

let world: World;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(() => world.close());
afterEach(() => world.resetCounts());

const GRAPHQL_JSON = 'application/graphql-response+json; charset=utf-8';

function expectRefused(res: GqlResponse, field: string, message: string): void {
  expect(res.status).toBe(400);
  expect(res.headers.get('content-type')).toBe(GRAPHQL_JSON);
  expect(res.body.data).toEqual({ [field]: null });
  expect(res.body.errors).toHaveLength(1);
  expect(res.body.errors?.[0]?.extensions['code']).toBe('BAD_USER_INPUT');
  expect(res.body.errors?.[0]?.path).toEqual([field]);
  expect(res.body.errors?.[0]?.message).toBe(message);
}

const ORDER_REFUSED = 'Invalid order id: expected 1 to 64 characters of A-Z, a-z, 0-9, "_" or "-".';
const PRODUCT_REFUSED = 'Invalid product id: expected 1 to 64 characters of A-Z, a-z, 0-9, "_" or "-".';
const USER_REFUSED = 'Invalid user id: expected 1 to 64 characters of A-Z, a-z, 0-9, "_" or "-".';

describe('refused before any upstream call', () => {
  it.each(['..', '.', 'ord-1/..', 'ord-1?x=1', '', 'ord 1'])('order(id: %j): 400 BAD_USER_INPUT, no orders or token call', async (id) => {
    const res = await world.gql('query($id: ID!) { order(id: $id) { id } }', { as: 'user-1', variables: { id } });
    expectRefused(res, 'order', ORDER_REFUSED);
    expect(world.counts()).toEqual(NO_CALLS);
  });

  it('a comma inside a product id cannot split the catalog id list', async () => {
    const res = await world.gql('{ product(id: "prod-1,prod-2") { id } }');
    expectRefused(res, 'product', PRODUCT_REFUSED);
    expect(world.counts()).toEqual(NO_CALLS);
  });

  it('a 900 KB id is refused by its length, and its value is not echoed', async () => {
    const id = 'x'.repeat(900_000);
    const res = await world.gql('query($id: ID!) { order(id: $id) { id } }', { as: 'user-1', variables: { id } });
    expectRefused(res, 'order', ORDER_REFUSED);
    expect(JSON.stringify(res.body)).not.toContain('xxxx');
    expect(world.counts()).toEqual(NO_CALLS);
  });

  it('a 65-character user id is one too many; 64 pass to the provider', async () => {
    const res = await world.gql('query($id: ID!) { user(id: $id) { id } }', { variables: { id: 'u'.repeat(65) } });
    expectRefused(res, 'user', USER_REFUSED);
    expect(world.counts()).toEqual(NO_CALLS);
    const longest = await world.gql('query($id: ID!) { user(id: $id) { id } }', { variables: { id: 'u'.repeat(64) } });
    expect(longest.status).toBe(200);
    expect(longest.body.errors?.[0]?.extensions['code']).toBe('NOT_FOUND');
    expect(world.counts()).toEqual({ ...NO_CALLS, accounts: 1 });
  });

  it('placeOrder: a product id with a comma is refused naming the argument; nothing is posted', async () => {
    const res = await world.gql('mutation { placeOrder(idempotencyKey: "ids-key-0001", input: { lines: [{ productId: "prod-1,prod-2", quantity: 1 }] }) { id } }', {
      as: 'user-5',
    });
    expect(res.status).toBe(400);
    expect(res.body.data).toBeNull();
    expect(res.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'input.lines.productId' });
    expect(res.body.errors?.[0]?.message).toBe('"input.lines.productId" must be a product id of 1 to 64 characters of A-Z, a-z, 0-9, "_" or "-".');
    expect(world.counts()).toEqual(NO_CALLS);
  });
});

describe('a refused id fails only its own field', () => {
  it('batched with a valid id: the valid one is fetched alone, the answer is 200 with one field error', async () => {
    const res = await world.gql('{ a: product(id: "prod-1") { id } b: product(id: "prod-2,prod-3") { id } }');
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({ a: { id: 'prod-1' }, b: null });
    expect(res.body.errors?.map((e) => [e.path, e.extensions['code']])).toEqual([[['b'], 'BAD_USER_INPUT']]);
    expect(world.counts()).toEqual({ ...NO_CALLS, catalog: 1 });
    expect(world.upstreams.catalog.requests.map((r) => r.query['ids'])).toEqual(['prod-1']);
  });
});

describe('valid ids still answer', () => {
  it('order(id: "ord-1") for its customer: 200, one orders call', async () => {
    const res = await world.gql('{ order(id: "ord-1") { id } }', { as: 'user-1' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(GRAPHQL_JSON);
    expect(res.body).toEqual({ data: { order: { id: 'ord-1' } } });
    expect(world.upstreams.orders.count({ method: 'GET', path: '/orders/*' })).toBe(1);
  });

  it('product(id: "prod-1"): 200, one catalog call', async () => {
    const res = await world.gql('{ product(id: "prod-1") { id } }');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ data: { product: { id: 'prod-1' } } });
    expect(world.counts()).toEqual({ ...NO_CALLS, catalog: 1 });
  });
});

describe('pagination cursors are bounded before they reach a provider', () => {
  const encode = (providerCursor: string | null, skip: number) => Buffer.from(JSON.stringify([providerCursor, skip]), 'utf8').toString('base64url');
  const PRODUCTS = 'query($after: String) { products(first: 2, after: $after) { edges { cursor } } }';

  it('refuses a cursor over 512 characters, and one whose provider cursor is over 256, with no catalog call', async () => {
    for (const after of ['A'.repeat(513), encode('p'.repeat(257), 0), encode('x'.repeat(90_000), 1)]) {
      const res = await world.gql(PRODUCTS, { variables: { after } });
      // products is non-null: its refusal nulls the whole answer.
      expect([res.status, res.body.data, res.body.errors?.[0]?.extensions['code'], res.body.errors?.[0]?.message]).toEqual([400, null, 'BAD_USER_INPUT', 'The "after" cursor is not valid.']);
      expect(world.counts()).toEqual(NO_CALLS);
    }
  });

  it('follows a cursor the gateway made, at the limits', async () => {
    const first = await world.gql(PRODUCTS);
    const cursor = (first.body.data?.['products'] as { edges: { cursor: string }[] }).edges[1]?.cursor ?? '';
    expect(cursor.length).toBeLessThanOrEqual(512);
    const next = await world.gql(PRODUCTS, { variables: { after: cursor } });
    expect(next.status).toBe(200);
    expect((next.body.data?.['products'] as { edges: unknown[] }).edges).toHaveLength(2);
    // A provider cursor of exactly 256 characters is carried; the provider decides what it means.
    const atLimit = await world.gql(PRODUCTS, { variables: { after: encode('p'.repeat(256), 0) } });
    expect(atLimit.body.errors?.[0]?.extensions['code']).not.toBe('BAD_USER_INPUT');
  });
});
