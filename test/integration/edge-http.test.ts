// The HTTP edge: CSRF prevention (CORS: edge-cors.test.ts), content types, methods, the GraphQL-over-HTTP statuses for
// graphql-response+json and legacy application/json clients, and production hardening.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorld, type World } from '../helpers/world';

const RESPONSE_JSON = 'application/graphql-response+json';

interface Reply {
  status: number;
  headers: Headers;
  body: { data?: Record<string, unknown> | null; errors?: { message: string; extensions: Record<string, unknown> }[] };
}

async function call(world: World, init: { method?: string; query?: Record<string, string>; body?: string; headers?: Record<string, string> }): Promise<Reply> {
  const url = `http://gateway/api/graphql${init.query ? `?${new URLSearchParams(init.query)}` : ''}`;
  const response = await world.gateway.yoga.fetch(url, { method: init.method ?? 'GET', headers: { accept: RESPONSE_JSON, ...init.headers }, body: init.body ?? null });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? (JSON.parse(text) as Reply['body']) : {} };
}
const postJson = (world: World, payload: unknown, headers: Record<string, string> = {}) =>
  call(world, { method: 'POST', body: JSON.stringify(payload), headers: { 'content-type': 'application/json', ...headers } });
const code = (r: Reply) => r.body.errors?.[0]?.extensions['code'];
const manifest = JSON.parse(readFileSync('persisted-queries/manifest.json', 'utf8')) as { operations: { id: string; name: string }[] };
const PLACE_ORDER = manifest.operations.find((o) => o.name === 'PlaceOrder')?.id ?? '';
// What a browser attaches by itself to a cross-site GET (bearer tokens it never attaches).
const COOKIE = { cookie: 'session=abc' };

describe('development', () => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld();
  });
  afterAll(() => world.close());

  describe('CSRF prevention and content types', () => {
    it('refuses a POST that is not JSON (what a cross-site form can send) with 415 BAD_REQUEST and Accept', async () => {
      for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/graphql', undefined]) {
        const res = await call(world, { method: 'POST', body: '{"query":"{ ping }"}', headers: type ? { 'content-type': type } : {} });
        expect([type, res.status, code(res)]).toEqual([type, 415, 'BAD_REQUEST']);
        expect(res.headers.get('accept')).toBe('application/json');
      }
    });

    it('answers a GET without ambient credentials unmodified: no preflight header needed (urql, graphql-request, plain fetch)', async () => {
      const plain = await call(world, { query: { query: '{ ping }' } });
      expect([plain.status, plain.body.data]).toEqual([200, { ping: true }]);
      // A bearer token is not ambient: a browser never attaches it on its own.
      const bearer = await call(world, { query: { query: '{ ping }' }, headers: { authorization: 'Bearer not.a.jwt' } });
      expect([bearer.status, code(bearer)]).toEqual([401, 'UNAUTHENTICATED']);
    });

    it('refuses a GET that carries a Cookie but no preflight-forcing header with 400 BAD_REQUEST', async () => {
      const extras: Record<string, string>[] = [{}, { 'apollo-require-preflight': ' ' }, { 'content-type': 'text/plain' }];
      for (const extra of extras) {
        const res = await call(world, { query: { query: '{ ping }' }, headers: { ...COOKIE, ...extra } });
        expect([JSON.stringify(extra), res.status, code(res)]).toEqual([JSON.stringify(extra), 400, 'BAD_REQUEST']);
        expect(res.body.errors?.[0]?.message).toBe(
          'A GET request that carries a Cookie must also carry one of these headers: apollo-require-preflight, x-apollo-operation-name, graphql-require-preflight (CSRF prevention).',
        );
        expect(res.body.data).toBeUndefined();
      }
    });

    it('accepts a GET with a Cookie and apollo-require-preflight, x-apollo-operation-name, graphql-require-preflight, or a JSON content type', async () => {
      const variants: Record<string, string>[] = [{ 'apollo-require-preflight': 'true' }, { 'x-apollo-operation-name': 'Ping' }, { 'graphql-require-preflight': '1' }, { 'content-type': 'application/json' }];
      for (const headers of variants) {
        const res = await call(world, { query: { query: '{ ping }' }, headers: { ...COOKIE, ...headers } });
        expect(res.status).toBe(200);
        expect(res.body.data).toEqual({ ping: true });
      }
    });
  });

  describe('methods', () => {
    it('refuses a mutation over GET with 405 and Allow: POST, before the CSRF check would refuse it', async () => {
      const variants: Record<string, string>[] = [{}, { 'apollo-require-preflight': 'true' }, COOKIE, { ...COOKIE, 'apollo-require-preflight': 'true' }];
      for (const headers of variants) {
        const res = await call(world, { query: { query: 'mutation { noop }' }, headers });
        expect([JSON.stringify(headers), res.status, res.headers.get('allow'), code(res)]).toEqual([JSON.stringify(headers), 405, 'POST', 'BAD_REQUEST']);
        expect(res.body.errors?.[0]?.message).toBe('Can only perform a mutation operation from a POST request.');
      }
    });

    it('refuses a persisted mutation sent by documentId over GET with 405, cookie or not, and places no order', async () => {
      const before = world.counts().orders;
      const variables = JSON.stringify({ input: { lines: [{ productId: 'prod-1', quantity: 1 }] }, idempotencyKey: 'get-mutation-0001' });
      const variants: Record<string, string>[] = [{}, COOKIE];
      for (const headers of variants) {
        const res = await call(world, { query: { documentId: PLACE_ORDER, variables }, headers });
        expect([JSON.stringify(headers), res.status, res.headers.get('allow'), code(res)]).toEqual([JSON.stringify(headers), 405, 'POST', 'BAD_REQUEST']);
      }
      expect(world.counts().orders).toBe(before);
    });

    it('refuses other methods with 405 and Allow: GET, POST', async () => {
      const res = await call(world, { method: 'PUT', body: '{}', headers: { 'content-type': 'application/json' } });
      expect(res.status).toBe(405);
      expect(res.headers.get('allow')).toBe('GET, POST');
      expect(code(res)).toBe('BAD_REQUEST');
    });
  });

  describe('GraphQL-over-HTTP statuses', () => {
    it('invalid JSON: 400 BAD_REQUEST (body and GET parameters)', async () => {
      const body = await call(world, { method: 'POST', body: '{"query":', headers: { 'content-type': 'application/json' } });
      expect([body.status, code(body)]).toEqual([400, 'BAD_REQUEST']);
      const get = await call(world, { query: { query: '{ ping }', variables: '{nope' } });
      expect([get.status, code(get)]).toEqual([400, 'BAD_REQUEST']);
    });

    it('parse error: 400 GRAPHQL_PARSE_FAILED; 200 for a legacy application/json client', async () => {
      const res = await postJson(world, { query: '{ ping' });
      expect([res.status, code(res)]).toEqual([400, 'GRAPHQL_PARSE_FAILED']);
      const legacy = await postJson(world, { query: '{ ping' }, { accept: 'application/json' });
      expect([legacy.status, code(legacy)]).toEqual([200, 'GRAPHQL_PARSE_FAILED']);
    });

    it('validation error: 422 GRAPHQL_VALIDATION_FAILED; 200 for a legacy application/json client', async () => {
      const res = await postJson(world, { query: '{ nope }' });
      expect([res.status, code(res)]).toEqual([422, 'GRAPHQL_VALIDATION_FAILED']);
      expect(res.headers.get('content-type')).toContain(RESPONSE_JSON);
      const legacy = await postJson(world, { query: '{ nope }' }, { accept: 'application/json' });
      expect([legacy.status, code(legacy)]).toEqual([200, 'GRAPHQL_VALIDATION_FAILED']);
    });

    it('variables that do not coerce: 422 BAD_USER_INPUT; 200 for a legacy client', async () => {
      const payload = { query: 'query P($id: ID!) { product(id: $id) { id } }', variables: { id: { not: 'an id' } } };
      const res = await postJson(world, payload);
      expect([res.status, code(res)]).toEqual([422, 'BAD_USER_INPUT']);
      expect(res.body.data).toBeUndefined();
      const missing = await postJson(world, { query: payload.query });
      expect([missing.status, code(missing)]).toEqual([422, 'BAD_USER_INPUT']);
      const legacy = await postJson(world, payload, { accept: 'application/json' });
      expect([legacy.status, code(legacy)]).toEqual([200, 'BAD_USER_INPUT']);
    });

    it('data with errors: 200', async () => {
      const res = await postJson(world, { query: '{ ping me { id } }' });
      expect(res.status).toBe(200);
      expect(res.body.data).toEqual({ ping: true, me: null });
      expect(code(res)).toBe('UNAUTHENTICATED');
    });

    it('keeps introspection and suggestions in development', async () => {
      const schema = await postJson(world, { query: '{ __schema { queryType { name } } }' });
      expect(schema.body.data).toEqual({ __schema: { queryType: { name: 'Query' } } });
      const typo = await postJson(world, { query: '{ produc(id: "prod-1") { id } }' });
      expect(typo.body.errors?.[0]?.message).toBe('Cannot query field "produc" on type "Query". Did you mean "product" or "products"?');
    });
  });
});

describe('production', () => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld({ env: { NODE_ENV: 'production', PERSISTED_OPERATIONS: 'off' } });
  });
  afterAll(() => world.close());

  it('refuses introspection with 422 GRAPHQL_VALIDATION_FAILED (__typename stays)', async () => {
    for (const query of ['{ __schema { types { name } } }', '{ __type(name: "Query") { name } }']) {
      const res = await postJson(world, { query });
      expect([res.status, code(res)]).toEqual([422, 'GRAPHQL_VALIDATION_FAILED']);
    }
    const typename = await postJson(world, { query: '{ __typename }' });
    expect(typename.body.data).toEqual({ __typename: 'Query' });
  });

  it('gives no "Did you mean" suggestions, in validation or in variable coercion', async () => {
    const typo = await postJson(world, { query: '{ produc(id: "prod-1") { id } }' });
    expect(typo.body.errors?.[0]?.message).toBe('Cannot query field "produc" on type "Query".');
    const input = await postJson(world, {
      query: 'mutation M($i: PlaceOrderInput!) { placeOrder(input: $i, idempotencyKey: "abcdefgh") { id } }',
      variables: { i: { line: [] } },
    });
    expect(code(input)).toBe('BAD_USER_INPUT');
    expect(input.body.errors?.map((e) => e.message).join(' ')).not.toContain('Did you mean');
  });

  it('serves no GraphiQL page', async () => {
    const res = await world.gateway.yoga.fetch('http://gateway/api/graphql', { headers: { accept: 'text/html' } });
    expect(res.headers.get('content-type') ?? '').not.toContain('text/html');
    await res.body?.cancel();
  });
});
