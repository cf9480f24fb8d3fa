// Authorization through the front door (yoga.fetch): the schema's @authenticated/@requiresScopes
// checked before a guarded field runs (no provider call for it), the email ownership rule, another
// customer's order answered as a missing one, and idempotency keys scoped per caller. Tokens are
// dev tokens minted with exactly the scopes each case needs; provider request counts prove "no call".
import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mintDevToken } from '../../src/dev/dev-jwt';
import { fixtures } from '../../src/dev/upstreams';
import { NO_CALLS, startWorld, type GqlResponse, type World } from '../helpers/world';

let world: World;
beforeAll(async () => {
  // audit: arbitrary documents run (as with a bypass client), persisted ones by id through graphql-jit.
  world = await startWorld({ env: { PERSISTED_OPERATIONS: 'audit' } });
});
afterAll(() => world.close());
afterEach(() => world.resetCounts());

/** An Authorization header for `userId` carrying exactly `scope`. */
async function bearer(userId: string, scope: string): Promise<string> {
  return `Bearer ${await mintDevToken(userId, { scope })}`;
}

const manifest = JSON.parse(readFileSync('persisted-queries/manifest.json', 'utf8')) as { operations: { id: string; name: string }[] };
const persistedId = (name: string) => manifest.operations.find((o) => o.name === name)?.id ?? '';

/** A persisted operation by hash only, as a client sends it. */
async function persisted(name: string, variables: Record<string, unknown>, authorization: string): Promise<GqlResponse> {
  const res = await world.gateway.yoga.fetch('http://gateway/api/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', authorization },
    body: JSON.stringify({ variables, extensions: { persistedQuery: { version: 1, sha256Hash: persistedId(name) } } }),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as GqlResponse['body'] };
}

const codes = (res: GqlResponse) => res.body.errors?.map((e) => [e.path?.join('.'), e.extensions['code']]);
const PLACE = 'mutation($key: String!, $sku: ID!) { placeOrder(idempotencyKey: $key, input: { lines: [{ productId: $sku, quantity: 1 }] }) { id customer { id } } }';

describe('@requiresScopes and @authenticated', () => {
  it('placeOrder with a read-only token is null with FORBIDDEN and nothing is posted (document and persisted)', async () => {
    const readOnly = await bearer('user-1', 'orders:read');
    const res = await world.gql(PLACE, { as: readOnly, variables: { key: 'authz-key-0001', sku: 'prod-1' } });
    // placeOrder is non-null: its null takes `data` with it, as graphql-js says.
    expect(res.status).toBe(200);
    expect(res.body.data).toBeNull();
    expect(res.body.errors).toHaveLength(1);
    expect(res.body.errors?.[0]).toMatchObject({
      message: 'The token lacks the scopes this field needs (orders:write).',
      path: ['placeOrder'],
      extensions: { code: 'FORBIDDEN', requiredScopes: [['orders:write']], requestId: res.headers.get('x-request-id') },
    });
    const viaManifest = await persisted('PlaceOrder', { input: { lines: [{ productId: 'prod-1', quantity: 1 }] }, idempotencyKey: 'authz-key-0002' }, readOnly);
    expect(viaManifest.status).toBe(200);
    expect(viaManifest.body.data).toBeNull();
    expect(codes(viaManifest)).toEqual([['placeOrder', 'FORBIDDEN']]);
    expect(world.counts()).toEqual(NO_CALLS);
  });

  it('an anonymous caller gets UNAUTHENTICATED for orders, order and me, with no call to orders, and the rest of the answer', async () => {
    const res = await world.gql('{ order(id: "ord-1") { id } me { id } product(id: "prod-1") { title } }');
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({ order: null, me: null, product: { title: fixtures.product('prod-1')?.name } });
    expect(codes(res)).toEqual([
      ['order', 'UNAUTHENTICATED'],
      ['me', 'UNAUTHENTICATED'],
    ]);
    const list = await world.gql('{ orders(first: 2) { edges { node { id } } } }');
    expect(list.body.data).toBeNull();
    expect(codes(list)).toEqual([['orders', 'UNAUTHENTICATED']]);
    const page = await persisted('OrderPage', {}, '');
    expect(codes(page)).toEqual([['orders', 'UNAUTHENTICATED']]);
    expect(world.counts()).toMatchObject({ orders: 0, auth: 0, catalog: 1 });
  });

  it('a token without orders:read reads no order, not even through User.orders, and orders is never called', async () => {
    const writeOnly = await bearer('user-1', 'orders:write');
    const res = await world.gql('{ order(id: "ord-1") { id } me { name } }', { as: writeOnly });
    expect(res.body.data).toEqual({ order: null, me: { name: fixtures.user('user-1')?.displayName } });
    expect(codes(res)).toEqual([['order', 'FORBIDDEN']]);
    // User.orders is [Order!]!: its null takes `me` with it.
    const recent = await persisted('MyRecentOrders', {}, writeOnly);
    expect(recent.body.data).toEqual({ me: null });
    expect(codes(recent)).toEqual([['me.orders', 'FORBIDDEN']]);
    expect(world.counts().orders).toBe(0);
  });

  it('a token with orders:read reads the caller’s orders', async () => {
    const readOnly = await bearer('user-1', 'orders:read');
    const res = await world.gql('{ orders(first: 2) { edges { node { id } } } }', { as: readOnly });
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data).toEqual({ orders: { edges: fixtures.ordersOf('user-1').slice(0, 2).map((o) => ({ node: { id: o.order_id } })) } });
    expect(world.counts().orders).toBe(1);
  });
});

describe('User.email: its owner, or users:pii', () => {
  it('anonymous: every email is null with UNAUTHENTICATED, the names arrive', async () => {
    const res = await world.gql('{ a: user(id: "user-2") { name email } b: user(id: "user-3") { name email } }');
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({ a: { name: fixtures.user('user-2')?.displayName, email: null }, b: { name: fixtures.user('user-3')?.displayName, email: null } });
    expect(codes(res)).toEqual([
      ['a.email', 'UNAUTHENTICATED'],
      ['b.email', 'UNAUTHENTICATED'],
    ]);
    expect(JSON.stringify(res.body)).not.toContain('@');
  });

  it('another user’s email is null with FORBIDDEN, the name arrives; the owner sees their own', async () => {
    const noPii = await bearer('user-1', 'orders:read orders:write');
    const res = await world.gql('{ user(id: "user-2") { name email } me { email } own: user(id: "user-1") { email } }', { as: noPii });
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({
      user: { name: fixtures.user('user-2')?.displayName, email: null },
      me: { email: fixtures.user('user-1')?.emailAddress },
      own: { email: fixtures.user('user-1')?.emailAddress },
    });
    expect(res.body.errors).toHaveLength(1);
    expect(res.body.errors?.[0]).toMatchObject({ path: ['user', 'email'], extensions: { code: 'FORBIDDEN', requestId: res.headers.get('x-request-id') } });
  });

  it('users:pii reads any user’s email', async () => {
    const pii = await bearer('user-1', 'users:pii');
    const res = await world.gql('{ user(id: "user-2") { email } }', { as: pii });
    expect(res.body).toEqual({ data: { user: { email: fixtures.user('user-2')?.emailAddress } } });
  });

  it('review authors’ emails: only the caller’s own arrives without users:pii, the rest of the product does', async () => {
    const reviews = fixtures.reviewsOf('prod-2');
    expect(reviews.map((r) => r.authorId)).toContain('user-2');
    const noPii = await bearer('user-2', 'orders:read orders:write');
    const res = await world.gql('{ product(id: "prod-2") { title reviews { id author { id name email } } } }', { as: noPii });
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({
      product: {
        title: fixtures.product('prod-2')?.name,
        reviews: reviews.map((r) => ({
          id: r.id,
          author: { id: r.authorId, name: fixtures.user(r.authorId)?.displayName, email: r.authorId === 'user-2' ? fixtures.user('user-2')?.emailAddress : null },
        })),
      },
    });
    const others = reviews.map((r, i) => [r.authorId, i] as const).filter(([author]) => author !== 'user-2');
    expect(codes(res)).toEqual(others.map(([, i]) => [`product.reviews.${i}.author.email`, 'FORBIDDEN']));
    expect(world.counts()).toMatchObject({ catalog: 1, reviews: 1, accounts: 1 });
  });
});

describe('another customer’s order', () => {
  it('answers exactly as a missing one: same status, same body but for the request id, one provider call each', async () => {
    const foreign = fixtures.ordersOf('user-2')[0]?.order_id ?? '';
    const query = 'query($id: ID!) { order(id: $id) { id totalCents } }';
    const ask = async (id: string) => {
      world.resetCounts();
      const res = await world.gateway.yoga.fetch('http://gateway/api/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', authorization: await bearer('user-1', 'orders:read') },
        body: JSON.stringify({ query, variables: { id } }),
      });
      const requestId = res.headers.get('x-request-id') ?? '';
      expect(requestId).not.toBe('');
      return { status: res.status, type: res.headers.get('content-type'), body: (await res.text()).replaceAll(requestId, '<id>'), orders: world.counts().orders };
    };
    const mine = fixtures.ordersOf('user-1')[0]?.order_id ?? '';
    expect((await ask(mine)).body).toContain(mine);
    const other = await ask(foreign);
    const missing = await ask('ord-99999');
    expect(other).toEqual(missing);
    expect(other.status).toBe(200);
    expect(JSON.parse(other.body)).toEqual({
      data: { order: null },
      errors: [{ message: 'Order not found.', locations: [{ line: 1, column: 19 }], path: ['order'], extensions: { code: 'NOT_FOUND', requestId: '<id>' } }],
    });
    expect(other.orders).toBe(1);
  });
});

describe('idempotency keys are the caller’s own', () => {
  const postedKeys = () => world.upstreams.orders.requests.filter((r) => r.method === 'POST').map((r) => r.headers['idempotency-key']);

  it('a key another user claimed first does not block this user’s checkout: two orders, two keys at the provider', async () => {
    const before = world.upstreams.orders.createdOrders().length;
    const claimed = await world.gql(PLACE, { as: 'user-2', variables: { key: 'shared-key-0001', sku: 'prod-5' } });
    const mine = await world.gql(PLACE, { as: 'user-1', variables: { key: 'shared-key-0001', sku: 'prod-6' } });
    expect([claimed.body.errors, mine.body.errors]).toEqual([undefined, undefined]);
    const [a, b] = [claimed, mine].map((r) => r.body.data?.['placeOrder'] as { id: string; customer: { id: string } });
    expect([a?.customer.id, b?.customer.id]).toEqual(['user-2', 'user-1']);
    expect(a?.id).not.toBe(b?.id);
    expect(world.upstreams.orders.createdOrders().length).toBe(before + 2);
    const keys = postedKeys();
    expect(keys).toHaveLength(2);
    expect(new Set(keys).size).toBe(2);
    expect(keys).not.toContain('shared-key-0001');
    expect(keys.every((k) => /^[0-9a-f]{64}$/.test(k ?? ''))).toBe(true);
  });

  it('the same caller, key and payload is still one order (an idempotent replay)', async () => {
    const before = world.upstreams.orders.createdOrders().length;
    const place = () => world.gql(PLACE, { as: 'user-3', variables: { key: 'replay-key-0001', sku: 'prod-7' } });
    const first = await place();
    const replay = await place();
    expect(first.body.errors).toBeUndefined();
    expect(replay.body).toEqual(first.body);
    expect(world.upstreams.orders.createdOrders().length).toBe(before + 1);
    const keys = postedKeys();
    expect(keys).toHaveLength(2);
    expect(keys[0]).toBe(keys[1]);
  });
});

describe('the response cache keeps tokens of one user with different scopes apart', () => {
  let cached: World;
  beforeAll(async () => {
    cached = await startWorld({ env: { RESPONSE_CACHE: '1' } });
  });
  afterAll(() => cached.close());

  /** A GET of a persisted operation by hash (the early-hit lane looks these up before yoga's pipeline). */
  async function getPersisted(name: string, authorization: string): Promise<GqlResponse> {
    const params = new URLSearchParams({ extensions: JSON.stringify({ persistedQuery: { version: 1, sha256Hash: persistedId(name) } }) });
    const res = await cached.gateway.yoga.fetch(`http://gateway/api/graphql?${params}`, {
      headers: { accept: 'application/graphql-response+json', 'apollo-require-preflight': 'true', authorization },
    });
    return { status: res.status, headers: res.headers, body: (await res.json()) as GqlResponse['body'] };
  }

  it('an answer stored for a token with orders:read is never served to a token of the same user without it', async () => {
    const wide = await bearer('user-4', 'orders:read');
    const narrow = await bearer('user-4', 'users:pii');
    const query = '{ orders(first: 2) { edges { node { id } } } }';
    const first = await cached.gql(query, { as: wide });
    expect(first.body.errors).toBeUndefined();
    expect((await cached.gql(query, { as: wide })).body).toEqual(first.body);
    const recent = await getPersisted('MyRecentOrders', wide);
    expect(recent.body.errors).toBeUndefined();
    expect((await getPersisted('MyRecentOrders', wide)).body).toEqual(recent.body);
    // Each was fetched once: the repeats were cache hits.
    expect(cached.counts().orders).toBe(2);

    const denied = await cached.gql(query, { as: narrow });
    expect(denied.body.data).toBeNull();
    expect(codes(denied)).toEqual([['orders', 'FORBIDDEN']]);
    const deniedGet = await getPersisted('MyRecentOrders', narrow);
    expect(deniedGet.body.data).toEqual({ me: null });
    expect(codes(deniedGet)).toEqual([['me.orders', 'FORBIDDEN']]);
    expect(cached.counts().orders).toBe(2);
  });
});
