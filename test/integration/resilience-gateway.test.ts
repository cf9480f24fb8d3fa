// Resilience seen from a GraphQL client: provider faults scripted at the simulated providers,
// observed through yoga.fetch (partial data, codes, and how many calls reached each provider).
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startWorld, type World } from '../helpers/world';

const ATTEMPT_MS = 200;
let world: World;

beforeAll(async () => {
  world = await startWorld({
    http: {
      catalog: { timeouts: { attemptMs: ATTEMPT_MS } },
      // Short backoff keeps the commit-then-fail run quick; the policy itself is tested in http-*.
      orders: { retry: { baseDelayMs: 1, maxDelayMs: 5, budgetMinPerSecond: 1000 } },
    },
  });
});
afterAll(() => world.close());
afterEach(() => {
  for (const server of world.upstreams.servers) server.clearFaults();
  world.resetCounts();
});

describe('resilience through the gateway', () => {
  it('resolves a hanging provider field to null with UPSTREAM_TIMEOUT while the other fields arrive', async () => {
    world.upstreams.catalog.fault({ kind: 'hang' });
    const started = performance.now();
    const res = await world.gql('{ product(id: "prod-1") { title } me { id } }', { as: 'user-3' });
    const elapsed = performance.now() - started;
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({ product: null, me: { id: 'user-3' } });
    expect(res.body.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_TIMEOUT', provider: 'catalog', retryable: true });
    // Attempt timeouts are not retried: one call reached the hanging provider.
    expect(world.upstreams.catalog.count()).toBe(1);
    // A loose sanity bound (the precise figure is reported by the benchmark and the http tests).
    expect(elapsed).toBeLessThan(ATTEMPT_MS + 1_000);
    console.info(`hanging provider answered after ${elapsed.toFixed(0)} ms (attempt timeout ${ATTEMPT_MS} ms)`);
  });

  it('retries a 502 once and the data arrives', async () => {
    world.upstreams.catalog.fault({ kind: 'status', status: 502 }, { times: 1 });
    const res = await world.gql('{ product(id: "prod-5") { id } }');
    expect(res.body).toEqual({ data: { product: { id: 'prod-5' } } });
    expect(world.upstreams.catalog.count()).toBe(2);
  });

  it('fails at once with the provider wait when Retry-After is beyond the deadline', async () => {
    world.upstreams.catalog.fault({ kind: 'rate-limit', retryAfter: '120' });
    const res = await world.gql('{ product(id: "prod-5") { id } }');
    expect(res.body.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_RATE_LIMITED', retryAfterSeconds: 120, provider: 'catalog' });
    expect(world.upstreams.catalog.count()).toBe(1);
  });

  it('never creates two orders when placeOrder commits and then answers 502 (200 calls, 30% faults)', async () => {
    world.upstreams.orders.fault({ kind: 'commit-then-fail', status: 502 }, { ratio: 0.3, match: { method: 'POST', path: '/orders' } });
    const before = world.upstreams.orders.createdOrders().length;
    const results = [];
    for (let i = 0; i < 200; i++) {
      const key = `ctf-${String(i).padStart(4, '0')}-key`;
      results.push(
        await world.gql(`mutation { placeOrder(idempotencyKey: "${key}", input: { lines: [{ productId: "prod-${(i % 50) + 1}", quantity: 1 }] }) { id } }`, { as: 'user-9' }),
      );
    }
    // A commit can fail on every attempt (0.3³ ≈ 3%): the client sees UPSTREAM_UNAVAILABLE and, as
    // clients should, sends the same key again; the provider then answers with the original order.
    const failed = results.flatMap((r, i) => (r.body.errors ? [i] : []));
    for (const i of failed) expect(results[i]?.body.errors?.[0]?.extensions['code']).toBe('UPSTREAM_UNAVAILABLE');
    world.upstreams.orders.clearFaults();
    for (const i of failed) {
      const key = `ctf-${String(i).padStart(4, '0')}-key`;
      const again = await world.gql(`mutation { placeOrder(idempotencyKey: "${key}", input: { lines: [{ productId: "prod-${(i % 50) + 1}", quantity: 1 }] }) { id } }`, { as: 'user-9' });
      expect(again.body.errors).toBeUndefined();
    }
    const created = world.upstreams.orders.createdOrders().slice(before);
    expect(created).toHaveLength(200);
    expect(new Set(created.map((o) => o.order_id)).size).toBe(200);
    const posts = world.upstreams.orders.count({ method: 'POST', path: '/orders' });
    expect(posts).toBeGreaterThan(200); // retried attempts were answered by replaying the original order
    console.info(`placeOrder: 200 mutations, ${failed.length} re-sent by the client, ${posts} POSTs, ${created.length} orders created`);
  });

  it('retries a 503 on placeOrder once because it carries an idempotency key', async () => {
    world.upstreams.orders.fault({ kind: 'status', status: 503 }, { match: { method: 'POST', path: '/orders' }, times: 1 });
    const res = await world.gql('mutation { placeOrder(idempotencyKey: "retry-once-1", input: { lines: [{ productId: "prod-1", quantity: 1 }] }) { id } }', { as: 'user-9' });
    expect(res.body.errors).toBeUndefined();
    expect(world.upstreams.orders.count({ method: 'POST', path: '/orders' })).toBe(2);
    const id = (res.body.data?.['placeOrder'] as { id: string }).id;
    expect(world.upstreams.orders.createdOrders().filter((o) => o.order_id === id)).toHaveLength(1);
  });
});

describe('OAuth toward the orders provider, through the gateway', () => {
  it('fetches exactly one token for 100 concurrent requests on a cold start, and one more after revocation', async () => {
    await using cold = await startWorld();
    const query = '{ orders(first: 1) { edges { node { id } } } }';
    const answers = await Promise.all(Array.from({ length: 100 }, (_, i) => cold.gql(query, { as: `user-${(i % 20) + 1}` })));
    expect(answers.filter((a) => a.body.errors)).toEqual([]);
    expect(cold.upstreams.auth.tokensIssued).toBe(1);

    cold.upstreams.auth.revokeAll();
    const again = await Promise.all(Array.from({ length: 20 }, () => cold.gql(query, { as: 'user-1' })));
    expect(again.filter((a) => a.body.errors)).toEqual([]);
    expect(cold.upstreams.auth.tokensIssued).toBe(2);
  });
});
