// The REST providers of the demo world (auth, orders, catalog) over real loopback HTTP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { PROVIDER_NAMES } from '../../src/providers';
import { DEV_CREDENTIALS, fixtures, SIMULATORS, startUpstreams, type OrderFixture, type Upstreams } from '../../src/dev/upstreams';

let clock = 1_700_000_000_000;
let up: Upstreams;
beforeAll(async () => {
  up = await startUpstreams({ now: () => clock, tokenTtlSeconds: 60 });
});
afterAll(() => up.close());

const basic = `Basic ${Buffer.from(`${DEV_CREDENTIALS.ordersClientId}:${DEV_CREDENTIALS.ordersClientSecret}`).toString('base64')}`;

async function call(url: string, init: { method?: 'GET' | 'POST'; headers?: Record<string, string>; body?: string } = {}) {
  const res = await request(url, { method: init.method ?? 'GET', headers: init.headers ?? {}, body: init.body ?? null });
  const text = await res.body.text();
  return { status: res.statusCode, headers: res.headers, body: text === '' ? undefined : (JSON.parse(text) as unknown) };
}

async function token(scope = 'read:orders write:orders'): Promise<string> {
  const res = await call(`${up.urls.auth}/oauth/token`, {
    method: 'POST',
    headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope }).toString(),
  });
  const body = res.body as { access_token: string };
  return body.access_token;
}

const orderBody = (customer: string, lines: { sku: string; qty: number }[]) => JSON.stringify({ customer_id: customer, line_items: lines });

describe('auth provider', () => {
  it('issues a bearer token for Basic client credentials and counts it', async () => {
    const before = up.auth.tokensIssued;
    const res = await call(`${up.urls.auth}/oauth/token`, {
      method: 'POST',
      headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials&scope=read:orders%20write:orders',
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ access_token: expect.any(String), token_type: 'Bearer', expires_in: 60, scope: 'read:orders write:orders' });
    expect(up.auth.tokensIssued).toBe(before + 1);
  });

  it('accepts client_id/client_secret in the form body', async () => {
    const res = await call(`${up.urls.auth}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `grant_type=client_credentials&client_id=${DEV_CREDENTIALS.ordersClientId}&client_secret=${DEV_CREDENTIALS.ordersClientSecret}`,
    });
    expect(res.status).toBe(200);
    expect((res.body as { scope: string }).scope).toBe('read:orders write:orders');
  });

  it('answers 401 invalid_client for a wrong secret and issues nothing', async () => {
    const before = up.auth.tokensIssued;
    const res = await call(`${up.urls.auth}/oauth/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from('dev-orders-client:nope').toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ error: 'invalid_client' });
    expect(up.auth.tokensIssued).toBe(before);
  });

  it('refuses other grant types and unknown scopes with 400', async () => {
    const post = (body: string) =>
      call(`${up.urls.auth}/oauth/token`, { method: 'POST', headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' }, body });
    expect(await post('grant_type=password')).toMatchObject({ status: 400, body: { error: 'unsupported_grant_type' } });
    expect(await post('grant_type=client_credentials&scope=admin')).toMatchObject({ status: 400, body: { error: 'invalid_scope' } });
  });
});

describe('orders provider: reads', () => {
  it('answers 401 invalid_token without, or with an unknown, bearer token', async () => {
    expect(await call(`${up.urls.orders}/orders/ord-1`)).toMatchObject({ status: 401, body: { error: 'invalid_token' } });
    const res = await call(`${up.urls.orders}/orders/ord-1`, { headers: { authorization: 'Bearer forged' } });
    expect(res).toMatchObject({ status: 401, body: { error: 'invalid_token' } });
  });

  it('returns an order by id, and 404 not_found for an unknown one', async () => {
    const auth = { authorization: `Bearer ${await token()}` };
    expect(await call(`${up.urls.orders}/orders/ord-1`, { headers: auth })).toEqual(expect.objectContaining({ status: 200, body: fixtures.order('ord-1') }));
    expect(await call(`${up.urls.orders}/orders/ord-9999`, { headers: auth })).toMatchObject({ status: 404, body: { error: 'not_found' } });
  });

  it('pages a customer’s orders by cursor in id order', async () => {
    const auth = { authorization: `Bearer ${await token('read:orders')}` };
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 10; page += 1) {
      const query: string = `customer_id=user-1&limit=10${cursor === null ? '' : `&cursor=${cursor}`}`;
      const res = await call(`${up.urls.orders}/orders?${query}`, { headers: auth });
      const body = res.body as { data: OrderFixture[]; next_cursor: string | null };
      seen.push(...body.data.map((o) => o.order_id));
      cursor = body.next_cursor;
      if (cursor === null) break;
    }
    expect(seen).toEqual(fixtures.ordersOf('user-1').map((o) => o.order_id));
    expect(up.orders.count({ method: 'GET', path: '/orders' })).toBeGreaterThanOrEqual(4);
  });

  it('rejects a limit over 100 and a forged cursor with 400', async () => {
    const auth = { authorization: `Bearer ${await token()}` };
    expect(await call(`${up.urls.orders}/orders?customer_id=user-1&limit=101`, { headers: auth })).toMatchObject({ status: 400, body: { error: 'invalid_limit', max: 100 } });
    expect(await call(`${up.urls.orders}/orders?customer_id=user-1&cursor=xyz`, { headers: auth })).toMatchObject({ status: 400, body: { error: 'invalid_cursor' } });
  });

  it('batches many customers, and refuses more than 50 ids', async () => {
    const auth = { authorization: `Bearer ${await token()}` };
    const res = await call(`${up.urls.orders}/orders?customer_ids=user-1,user-100,user-2&limit_per_customer=2`, { headers: auth });
    const expected = [...fixtures.ordersOf('user-1').slice(0, 2), ...fixtures.ordersOf('user-2').slice(0, 2)];
    expect(res).toEqual(expect.objectContaining({ status: 200, body: { data: expected } }));
    const ids = Array.from({ length: 51 }, (_, i) => `user-${i + 1}`).join(',');
    expect(await call(`${up.urls.orders}/orders?customer_ids=${ids}`, { headers: auth })).toMatchObject({ status: 400, body: { error: 'too_many_ids', max: 50 } });
  });

  it('refuses every token after revokeAll, and expired tokens by the injected clock', async () => {
    const first = await token();
    up.auth.revokeAll();
    expect((await call(`${up.urls.orders}/orders/ord-2`, { headers: { authorization: `Bearer ${first}` } })).status).toBe(401);
    const second = await token();
    expect((await call(`${up.urls.orders}/orders/ord-2`, { headers: { authorization: `Bearer ${second}` } })).status).toBe(200);
    clock += 60_000;
    expect(await call(`${up.urls.orders}/orders/ord-2`, { headers: { authorization: `Bearer ${second}` } })).toMatchObject({ status: 401, body: { error: 'invalid_token' } });
  });
});

describe('orders provider: placing orders', () => {
  const post = async (key: string | undefined, body: string, scope?: string) =>
    call(`${up.urls.orders}/orders`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await token(scope)}`, 'content-type': 'application/json', ...(key === undefined ? {} : { 'idempotency-key': key }) },
      body,
    });

  it('answers 403 insufficient_scope for a read-only token', async () => {
    expect(await post('k-scope', orderBody('user-1', [{ sku: 'prod-1', qty: 1 }]), 'read:orders')).toMatchObject({ status: 403, body: { error: 'insufficient_scope' } });
  });

  it('requires an Idempotency-Key', async () => {
    expect(await post(undefined, orderBody('user-1', [{ sku: 'prod-1', qty: 1 }]))).toMatchObject({ status: 400, body: { error: 'idempotency_key_required' } });
  });

  it('creates once, replays the original for the same key and body, and 409s a different body', async () => {
    const before = up.orders.createdOrders().length;
    const body = orderBody('user-7', [{ sku: 'prod-3', qty: 2 }, { sku: 'prod-4', qty: 1 }]);
    const created = await post('k-1', body);
    const price = (sku: string) => fixtures.product(sku)?.price.amount ?? -1;
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      order_id: expect.stringMatching(/^ord-\d+$/),
      customer_id: 'user-7',
      status: 'PLACED',
      created_at: new Date(clock).toISOString(),
      total_cents: 2 * price('prod-3') + price('prod-4'),
    });
    const replay = await post('k-1', JSON.stringify({ line_items: [{ qty: 2, sku: 'prod-3' }, { sku: 'prod-4', qty: 1 }], customer_id: 'user-7' }));
    expect(replay.status).toBe(200);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body).toEqual(created.body);
    expect(await post('k-1', orderBody('user-7', [{ sku: 'prod-3', qty: 3 }]))).toMatchObject({ status: 409, body: { error: 'idempotency_key_reused' } });
    expect(up.orders.createdOrders()).toHaveLength(before + 1);
  });

  it('answers 422 for an invalid body or an unknown sku', async () => {
    expect(await post('k-bad-1', '{"customer_id":"user-1","line_items":[]}')).toMatchObject({ status: 422, body: { error: 'invalid_body' } });
    expect(await post('k-bad-2', orderBody('user-1', [{ sku: 'prod-999', qty: 1 }]))).toMatchObject({ status: 422, body: { error: 'unknown_sku', sku: 'prod-999' } });
  });

  it('commit-then-fail: the write happens, the answer is 502, and a retry with the same key replays it', async () => {
    const before = up.orders.createdOrders().length;
    const body = orderBody('user-1', [{ sku: 'prod-10', qty: 1 }]);
    const cut = up.orders.fault({ kind: 'commit-then-fail' }, { times: 1, match: { method: 'POST', path: '/orders' } });
    expect((await post('k-ctf', body)).status).toBe(502);
    expect(cut.applied).toBe(1);
    expect(up.orders.createdOrders()).toHaveLength(before + 1);
    const retry = await post('k-ctf', body);
    expect(retry.status).toBe(200);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect((retry.body as OrderFixture).order_id).toBe(up.orders.createdOrders().at(-1)?.order_id);
    expect(up.orders.createdOrders()).toHaveLength(before + 1);
  });
});

describe('catalog provider', () => {
  const key = { 'x-api-key': DEV_CREDENTIALS.catalogApiKey };

  it('answers 401 without an API key and 403 with a wrong one', async () => {
    expect(await call(`${up.urls.catalog}/products/prod-1`)).toMatchObject({ status: 401 });
    expect(await call(`${up.urls.catalog}/products/prod-1`, { headers: { 'x-api-key': 'wrong' } })).toMatchObject({ status: 403 });
  });

  it('batches by ids in the requested order, omitting unknown ids', async () => {
    const res = await call(`${up.urls.catalog}/products?ids=prod-3,prod-999,prod-1`, { headers: key });
    expect(res.body).toEqual({ items: [fixtures.product('prod-3'), fixtures.product('prod-1')] });
  });

  it('refuses more than 50 ids with 400 too_many_ids', async () => {
    const ids = Array.from({ length: 51 }, (_, i) => `prod-${i + 1}`).join(',');
    expect(await call(`${up.urls.catalog}/products?ids=${ids}`, { headers: key })).toMatchObject({ status: 400, body: { error: 'too_many_ids', max: 50 } });
  });

  it('lists every product in three pages of 100', async () => {
    const first = (await call(`${up.urls.catalog}/products?limit=100`, { headers: key })).body as { items: unknown[]; next_cursor: string };
    const second = (await call(`${up.urls.catalog}/products?limit=100&cursor=${first.next_cursor}`, { headers: key })).body as { items: unknown[]; next_cursor: string };
    const third = (await call(`${up.urls.catalog}/products?limit=100&cursor=${second.next_cursor}`, { headers: key })).body as { items: unknown[]; next_cursor: string | null };
    expect([...first.items, ...second.items, ...third.items]).toEqual(fixtures.products);
    expect(third.next_cursor).toBeNull();
  });

  it('returns one product, or 404', async () => {
    expect(await call(`${up.urls.catalog}/products/prod-5`, { headers: key })).toMatchObject({ status: 200, body: fixtures.product('prod-5') });
    expect(await call(`${up.urls.catalog}/products/prod-0`, { headers: key })).toMatchObject({ status: 404, body: { error: 'not_found' } });
  });

  it('records method, path, query and headers (x-request-id, traceparent) and echoes x-request-id', async () => {
    up.catalog.resetRecords();
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const res = await call(`${up.urls.catalog}/products?ids=prod-1`, { headers: { ...key, 'x-request-id': 'req-42', traceparent } });
    expect(res.headers['x-request-id']).toBe('req-42');
    expect(up.catalog.requests).toEqual([
      { method: 'GET', path: '/products', query: { ids: 'prod-1' }, headers: expect.objectContaining({ 'x-request-id': 'req-42', traceparent, 'x-api-key': 'dev-catalog-key' }) },
    ]);
    expect(up.catalog.count({ path: '/products' })).toBe(1);
    expect(up.catalog.count({ path: '/products/*' })).toBe(0);
    expect(up.catalog.count({ method: 'POST' })).toBe(0);
  });
});

describe('startUpstreams', () => {
  it('starts every simulator of the list (each registered provider, auth, identity) on distinct loopback ports and closes them all', async () => {
    const world = await startUpstreams();
    const urls = Object.values(world.urls);
    expect(Object.keys(world.urls)).toEqual([...PROVIDER_NAMES, 'auth', 'identity']);
    expect(new Set(urls).size).toBe(SIMULATORS.length);
    expect(urls.every((u) => /^http:\/\/127\.0\.0\.1:\d+$/.test(u))).toBe(true);
    await world.close();
    await expect(request(`${world.urls.catalog}/products/prod-1`)).rejects.toThrow();
  });
});
