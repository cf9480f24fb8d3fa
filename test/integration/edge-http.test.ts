// The HTTP edge: CSRF prevention, content types, methods, the GraphQL-over-HTTP statuses for
// graphql-response+json and legacy application/json clients, and production hardening.
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

    it('refuses a GET without a preflight-forcing header with 400 BAD_REQUEST', async () => {
      const res = await call(world, { query: { query: '{ ping }' } });
      expect(res.status).toBe(400);
      expect(code(res)).toBe('BAD_REQUEST');
      expect(res.body.errors?.[0]?.message).toContain('apollo-require-preflight');
    });

    it('accepts a GET with apollo-require-preflight, x-apollo-operation-name, or a JSON content type', async () => {
      const variants: Record<string, string>[] = [{ 'apollo-require-preflight': 'true' }, { 'x-apollo-operation-name': 'Ping' }, { 'graphql-require-preflight': '1' }, { 'content-type': 'application/json' }];
      for (const headers of variants) {
        const res = await call(world, { query: { query: '{ ping }' }, headers });
        expect(res.status).toBe(200);
        expect(res.body.data).toEqual({ ping: true });
      }
    });
  });

  it('answers the CORS preflight that those headers trigger (a legitimate cross-origin client gets through)', async () => {
    const res = await world.gateway.yoga.fetch('http://gateway/api/graphql', {
      method: 'OPTIONS',
      headers: { origin: 'https://shop.example', 'access-control-request-method': 'GET', 'access-control-request-headers': 'apollo-require-preflight' },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-headers')).toContain('apollo-require-preflight');
  });

  describe('methods', () => {
    it('refuses a mutation over GET with 405 and Allow: POST', async () => {
      const res = await call(world, { query: { query: 'mutation { noop }' }, headers: { 'apollo-require-preflight': 'true' } });
      expect(res.status).toBe(405);
      expect(res.headers.get('allow')).toBe('POST');
      expect(code(res)).toBe('BAD_REQUEST');
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
      const get = await call(world, { query: { query: '{ ping }', variables: '{nope' }, headers: { 'apollo-require-preflight': 'true' } });
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
