// The real Next.js route: `DEMO=1 PORT=… npm start` (production build and mode, simulated providers),
// one real HTTP request per main path; and Next's custom-server deployment (`npm start -- --custom-server`).
// Both live in this one file so that `next build` runs once per test run.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintDevToken } from '../../src/dev/dev-jwt';
import { ensureNextBuild, freePort, launch, type Launched } from '../helpers/processes';

// Above Next's own API body limit (1 MB), which must not apply: the body is yoga's to read.
const BODY_LIMIT = 2_000_000;
const manifest = JSON.parse(readFileSync('persisted-queries/manifest.json', 'utf8')) as { operations: { id: string; name: string }[] };
const CATALOGUE = manifest.operations.find((o) => o.name === 'Catalogue')?.id ?? '';

let server: Launched;
let custom: Launched;
let url: string;
let base: string;
let token: string;

beforeAll(async () => {
  ensureNextBuild();
  const [port, customPort] = [await freePort(), await freePort()];
  url = `http://127.0.0.1:${port}/api/graphql`;
  base = `http://127.0.0.1:${customPort}`;
  [server, custom] = await Promise.all([
    // The cache is on and the body limit small here so that the mount's own behaviour shows: cached
    // GETs answered by the node lane, and yoga's body limit (not Next's body parser) in force.
    // No burst budget: the minute budget's RateLimit-Remaining then shows who a request counted against.
    launch(['start'], { DEMO: '1', PORT: String(port), PERSISTED_OPERATIONS: 'off', RESPONSE_CACHE: '1', CORS_ORIGINS: 'http://example.test', LIMIT_BODY_BYTES: String(BODY_LIMIT), RATE_LIMIT_BURST_REQUESTS: '0' }),
    launch(['start', '--custom-server'], { DEMO: '1', PORT: String(customPort), PERSISTED_OPERATIONS: 'off' }),
  ]);
  token = await mintDevToken('user-1');
}, 240_000);
afterAll(async () => {
  await server?.stop();
  await custom?.stop();
});

async function post(body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', authorization: `Bearer ${token}`, ...headers },
    body: JSON.stringify(body),
  });
}

describe('the Next.js route under next start', () => {
  it('answers a cross-provider query with data from all four providers', async () => {
    const res = await post({ query: '{ me { id } orders(first: 2) { edges { node { customer { id } lines { product { title reviews { author { id } } } } } } } }' });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { data: { me: { id: string }; orders: { edges: { node: { customer: { id: string } } }[] } } };
    expect(body.data.me.id).toBe('user-1');
    expect(body.data.orders.edges).toHaveLength(2);
    expect(body.data.orders.edges[0]?.node.customer.id).toBe('user-1');
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('counts anonymous callers by socket address: forged x-forwarded-for values share one budget', async () => {
    const remaining: number[] = [];
    for (const forged of ['203.0.113.1', '198.51.100.7, 203.0.113.2', '2001:db8::1']) {
      const res = await post({ query: '{ ping }' }, { authorization: '', 'x-forwarded-for': forged });
      expect(res.status).toBe(200);
      remaining.push(Number(res.headers.get('ratelimit-remaining')));
    }
    // Next sets x-forwarded-for only when it is absent, so each value reached the route as the client wrote it.
    expect([remaining[1]! - remaining[0]!, remaining[2]! - remaining[1]!]).toEqual([-1, -1]);
  });

  it('refuses malformed parameters with a JSON 400, never a 500 with a stack', async () => {
    for (const body of [{ operationName: ['array'], query: '{ __typename }' }, { query: '{ ping }', variables: [1] }]) {
      const res = await post(body);
      expect([res.status, res.headers.get('content-type')]).toEqual([400, 'application/graphql-response+json; charset=utf-8']);
      const text = await res.text();
      expect(JSON.parse(text)).toMatchObject({ errors: [{ extensions: { code: 'BAD_REQUEST', requestId: res.headers.get('x-request-id') } }] });
      expect(text).not.toMatch(/node_modules|\.next\/|at /);
    }
    const ok = await post({ query: '{ ping }' });
    expect(await ok.json()).toEqual({ data: { ping: true } });
  });

  it('echoes the client request id', async () => {
    const res = await post({ query: '{ ping }' }, { 'x-request-id': 'e2e-req-42' });
    expect(res.headers.get('x-request-id')).toBe('e2e-req-42');
  });

  it('refuses a bad token with 401 UNAUTHENTICATED', async () => {
    const res = await post({ query: '{ me { id } }' }, { authorization: 'Bearer a.b.c' });
    expect(res.status).toBe(401);
    const body = (await res.json()) as { errors: { extensions: { code: string } }[] };
    expect(body.errors[0]?.extensions.code).toBe('UNAUTHENTICATED');
  });

  it('runs a mutation over POST', async () => {
    const res = await post({ query: 'mutation { placeOrder(idempotencyKey: "e2e-key-0001", input: { lines: [{ productId: "prod-9", quantity: 1 }] }) { id customer { id } } }' });
    const body = (await res.json()) as { data: { placeOrder: { id: string; customer: { id: string } } } };
    expect(body.data.placeOrder.customer.id).toBe('user-1');
  });

  it('answers a GET query and a CORS preflight', async () => {
    // No Cookie, so no preflight-forcing header is needed (CSRF prevention, src/plugins/edge/csrf-prevention.ts).
    const res = await fetch(`${url}?query=${encodeURIComponent('{ product(id: "prod-1") { id } }')}`, { headers: { accept: 'application/json' } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ data: { product: { id: 'prod-1' } } });
    const preflight = await fetch(url, { method: 'OPTIONS', headers: { origin: 'http://example.test', 'access-control-request-method': 'POST' } });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('http://example.test');
  });

  it("hands the body to yoga unread: 1.5 MB passes Next's 1 MB API limit, over LIMIT_BODY_BYTES is our 413", async () => {
    const within = await post({ query: '{ ping }', variables: { pad: 'x'.repeat(1_500_000) } });
    expect(within.status).toBe(200);
    expect(await within.json()).toEqual({ data: { ping: true } });
    const over = await post({ query: '{ ping }', variables: { pad: 'x'.repeat(BODY_LIMIT) } });
    expect(over.status).toBe(413);
    const body = (await over.json()) as { errors: { extensions: { code: string } }[] };
    expect(body.errors[0]?.extensions.code).toBe('BAD_REQUEST');
  });

  it('leaves compression to the proxy in front: no Content-Encoding even when the client accepts gzip', async () => {
    // An answer of several KB: Next's compression would gzip anything over 1 KB.
    const res = await post({ query: '{ products(first: 30) { edges { node { id title priceCents currency inStock } } } }' }, { 'accept-encoding': 'gzip, deflate, br' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-encoding')).toBeNull();
    const text = await res.text();
    expect(text.length).toBeGreaterThan(2048);
    expect(Number(res.headers.get('content-length'))).toBe(Buffer.byteLength(text));
  });

  it('answers a cached GET of a persisted operation from the node lane, as the standalone server does', async () => {
    const search = new URLSearchParams({
      operationName: 'Catalogue',
      extensions: JSON.stringify({ persistedQuery: { version: 1, sha256Hash: CATALOGUE } }),
      variables: JSON.stringify({ first: 3 }),
    });
    const get = () => fetch(`${url}?${search}`, { headers: { accept: 'application/json', 'x-apollo-operation-name': 'Catalogue' } });
    const fill = await get();
    expect(fill.status).toBe(200);
    const filled = await fill.text();
    const hit = await get();
    expect(hit.status).toBe(200);
    expect(await hit.text()).toBe(filled);
    expect(hit.headers.get('etag')).toBe(fill.headers.get('etag'));
    const requestId = hit.headers.get('x-request-id') ?? '';
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    // The request's log line (production lines are flushed within a second) names the door that answered.
    const output = await server.waitFor(new RegExp(`"requestId":"${requestId}".*\\n`));
    const line = output.split('\n').find((l) => l.includes(`"requestId":"${requestId}"`)) ?? '';
    expect(JSON.parse(line)).toMatchObject({ cache: 'hit', cacheEarly: 'node', status: 200, operation: 'Catalogue' });
  });

  it('keeps introspection off in production mode', async () => {
    const res = await post({ query: '{ __schema { types { name } } }' });
    const body = (await res.json()) as { errors?: { extensions: { code: string } }[] };
    expect(body.errors?.[0]?.extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });
});

describe('next custom server', () => {
  it('answers GraphQL on /api/graphql with the same pipeline (request id, caller)', async () => {
    const res = await fetch(`${base}/api/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await mintDevToken('user-2')}`, 'x-request-id': 'custom-1' },
      body: JSON.stringify({ query: '{ me { id } }' }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toBe('custom-1');
    expect(await res.json()).toEqual({ data: { me: { id: 'user-2' } } });
  });

  it('serves the health probes and leaves other paths to Next', async () => {
    const live = await fetch(`${base}/api/health/live`);
    expect(live.status).toBe(200);
    // Answered by yoga (it sets a request id), not by the App Router route Next would run.
    expect(live.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const other = await fetch(`${base}/no-such-page`);
    expect(other.status).toBe(404);
    expect(await other.text()).toContain('This page could not be found');
  });
});
