// Regressions found in review: loose endpoint paths, non-null root failures, reused request ids,
// and the case of the auth scheme.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mintDevToken } from '../../src/dev/dev-jwt';
import { startWorld, type World } from '../helpers/world';

let world: World;
beforeAll(async () => {
  world = await startWorld({
    env: { RATE_LIMIT_REQUESTS_PER_WINDOW: '2' },
    http: { orders: { retry: { maxRetries: 0 } }, catalog: { timeouts: { attemptMs: 300 } } },
  });
});
afterAll(() => world.close());
afterEach(() => {
  world.upstreams.orders.clearFaults();
  world.upstreams.catalog.clearFaults();
});

async function post(path: string, query: string, headers: Record<string, string> = {}): Promise<Response> {
  return world.gateway.yoga.fetch(`http://gateway${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...headers },
    body: JSON.stringify({ query }),
  });
}

describe('review fixes', () => {
  it('serves only the exact endpoint path, so no path escapes the rate limit or the logs', async () => {
    for (const path of ['/api/graphql/', '/x/api/graphql', '/x/api/graphql/']) {
      const res = await post(path, '{ ping }', { 'x-forwarded-for': '203.0.113.9' });
      expect(res.status).toBe(404);
    }
    // The exact path is still counted: two requests pass, the third is refused.
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await post('/api/graphql', '{ ping }', { authorization: `Bearer ${await mintDevToken('user-42')}` })).status);
    expect(statuses).toEqual([200, 200, 429]);
  });

  it('answers 503 when a non-null root field fails because its provider is down', async () => {
    world.upstreams.orders.fault({ kind: 'status', status: 503 });
    const res = await post('/api/graphql', '{ orders(first: 2) { edges { node { id } } } }', { authorization: `Bearer ${await mintDevToken('user-43')}` });
    expect(res.status).toBe(503);
    const body = (await res.json()) as { data: unknown; errors: { extensions: { code: string } }[] };
    expect(body.data).toBeNull();
    expect(body.errors[0]?.extensions.code).toBe('UPSTREAM_UNAVAILABLE');
  });

  it('gives a request a fresh id when its x-request-id is already in flight', async () => {
    world.upstreams.catalog.fault({ kind: 'hang' }, { times: 1 });
    const first = post('/api/graphql', '{ product(id: "prod-1") { id } }', { 'x-request-id': 'dup-id-1', authorization: `Bearer ${await mintDevToken('user-44')}` });
    await world.upstreams.catalog.waitForRequests(1);
    const second = await post('/api/graphql', '{ ping }', { 'x-request-id': 'dup-id-1', authorization: `Bearer ${await mintDevToken('user-45')}` });
    expect(second.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect((await first).headers.get('x-request-id')).toBe('dup-id-1');
    // Once the first has answered, the id may be used again.
    const third = await post('/api/graphql', '{ ping }', { 'x-request-id': 'dup-id-1', authorization: `Bearer ${await mintDevToken('user-46')}` });
    expect(third.headers.get('x-request-id')).toBe('dup-id-1');
  });

  it('accepts the bearer scheme in any case', async () => {
    const res = await post('/api/graphql', '{ me { id } }', { authorization: `bearer ${await mintDevToken('user-47')}` });
    expect(await res.json()).toEqual({ data: { me: { id: 'user-47' } } });
  });
});
