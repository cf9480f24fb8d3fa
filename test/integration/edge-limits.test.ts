// Operation limits and static cost through the front door: one test per code (exact status and
// body), measure mode, batching, body size, and hostile documents refused fast with bounded memory.
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { OPERATION_CHANNELS, type LimitEvent } from '../../src/observability/channels';
import { startNodeServer } from '../../src/server/node-server';
import { startWorld, type World } from '../helpers/world';

interface Reply {
  status: number;
  headers: Headers;
  body: unknown;
}

async function post(world: World, body: unknown, headers: Record<string, string> = {}): Promise<Reply> {
  const response = await world.gateway.yoga.fetch('http://gateway/api/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, headers: response.headers, body: await response.json() };
}

interface ErrorBody {
  data?: unknown;
  errors: { message: string; extensions: Record<string, unknown> }[];
}
const firstError = (r: Reply) => (r.body as ErrorBody).errors[0];

// depth 11 (User.orders → Order.customer → …), hidden in fragments and an inline fragment.
const DEEP = `
  query Deep { me { ...U1 } }
  fragment U1 on User { orders { customer { ...U2 } } }
  fragment U2 on User { orders { ... on Order { customer { ...U3 } } } }
  fragment U3 on User { orders { customer { orders { customer { orders { customer { name } } } } } } }`;

const limitEvents: LimitEvent[] = [];
const onLimit = (e: unknown) => limitEvents.push(e as LimitEvent);
beforeAll(() => subscribe(OPERATION_CHANNELS.limit, onLimit));
afterAll(() => unsubscribe(OPERATION_CHANNELS.limit, onLimit));
afterEach(() => {
  limitEvents.length = 0;
});

describe('enforced limits (defaults)', () => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld();
  });
  afterAll(() => world.close());
  afterEach(() => world.resetCounts());

  it('MAX_DEPTH_LIMIT: 400, depth hidden in fragments counted, nothing executed', async () => {
    const res = await post(world, { query: DEEP }, { 'x-request-id': 'req-deep' });
    expect(res.status).toBe(400);
    expect(firstError(res)?.extensions).toEqual({ code: 'MAX_DEPTH_LIMIT', limit: { max: 10, actual: 11 }, requestId: 'req-deep' });
    expect(world.counts().accounts).toBe(0);
    expect(limitEvents).toEqual([{ requestId: 'req-deep', limit: 'depth', actual: 11, max: 10, enforced: true, operationName: undefined }]);
  });

  it('MAX_ALIASES_LIMIT: 400', async () => {
    const aliases = Array.from({ length: 16 }, (_, i) => `a${i}: id`).join(' ');
    const res = await post(world, { query: `{ me { ${aliases} } }` });
    expect(res.status).toBe(400);
    expect(firstError(res)?.extensions['code']).toBe('MAX_ALIASES_LIMIT');
    expect(firstError(res)?.extensions['limit']).toEqual({ max: 15, actual: 16 });
  });

  it('MAX_ROOT_FIELDS_LIMIT: 400 (through a root fragment)', async () => {
    const res = await post(world, { query: `{ ping ...R } fragment R on Query { ${'ping '.repeat(10)} }` });
    expect(res.status).toBe(400);
    expect(firstError(res)?.extensions['code']).toBe('MAX_ROOT_FIELDS_LIMIT');
    expect(firstError(res)?.extensions['limit']).toEqual({ max: 10, actual: 11 });
  });

  it('MAX_DIRECTIVES_LIMIT: 400', async () => {
    const res = await post(world, { query: `{ ping ${'@include(if: true) '.repeat(51)}}` });
    expect(res.status).toBe(400);
    expect(firstError(res)?.extensions['code']).toBe('MAX_DIRECTIVES_LIMIT');
  });

  it('MAX_TOKENS_LIMIT: 400, the parser stops at the limit', async () => {
    const res = await post(world, { query: `{ me { ${'id '.repeat(3000)}} }` });
    expect(res.status).toBe(400);
    expect(firstError(res)?.extensions).toMatchObject({ code: 'MAX_TOKENS_LIMIT', limit: { max: 3000 } });
  });

  it('COST_ESTIMATED_TOO_EXPENSIVE: 400 with extensions.cost and x-operation-cost, no provider called', async () => {
    const query = '{ orders(first: 100) { edges { node { lines { product { reviews { author { name } } } } } } } }';
    const res = await post(world, { query });
    expect(res.status).toBe(400);
    expect(firstError(res)?.extensions['code']).toBe('COST_ESTIMATED_TOO_EXPENSIVE');
    expect(firstError(res)?.extensions['cost']).toEqual({ estimated: 5001, max: 5000 });
    expect(res.headers.get('x-operation-cost')).toBe('5001');
    expect(world.counts().orders).toBe(0);
  });

  it('gives the cost of an accepted operation in x-operation-cost (variables count)', async () => {
    const query = 'query C($first: Int) { products(first: $first) { edges { node { id } } } }';
    const small = await post(world, { query, variables: { first: 3 } });
    const large = await post(world, { query, variables: { first: 50 } });
    expect(small.status).toBe(200);
    expect(small.headers.get('x-operation-cost')).toBe('7'); // 1 + 3 × (edge + product)
    expect(large.headers.get('x-operation-cost')).toBe('101');
  });

  it('refuses a document over LIMIT_DOCUMENT_BYTES with 413 BAD_REQUEST before parsing', async () => {
    const res = await post(world, { query: `{ ping } # ${'x'.repeat(33_000)}` });
    expect(res.status).toBe(413);
    expect(firstError(res)?.extensions['code']).toBe('BAD_REQUEST');
    expect(firstError(res)?.message).toBe('The document is too large.');
  });

  it('refuses a body over LIMIT_BODY_BYTES with 413 BAD_REQUEST', async () => {
    const res = await post(world, { query: '{ ping }', variables: { pad: 'x'.repeat(1_100_000) } });
    expect(res.status).toBe(413);
    expect(firstError(res)?.extensions['code']).toBe('BAD_REQUEST');
  });

  it('refuses an oversized body by its Content-Length on the wire, and one without it while it streams', async () => {
    const body = JSON.stringify({ query: '{ ping }', variables: { pad: 'x'.repeat(1_100_000) } });
    await using server = await startNodeServer(world.gateway.yoga);
    const byLength = await fetch(`${server.url}/api/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(byLength.status).toBe(413);
    await byLength.text();
    const bytes = new TextEncoder().encode(body);
    const chunked = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < bytes.length; i += 64 * 1024) controller.enqueue(bytes.subarray(i, i + 64 * 1024));
        controller.close();
      },
    });
    const streamed = await world.gateway.yoga.fetch('http://gateway/api/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
      body: chunked,
      duplex: 'half',
    } as RequestInit);
    expect(streamed.status).toBe(413);
    const small = await fetch(`${server.url}/api/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ ping }' }) });
    expect([small.status, await small.json()]).toEqual([200, { data: { ping: true } }]);
  });

  it('refuses a Content-Length that is not one number with 400', async () => {
    const res = await post(world, { query: '{ ping }' }, { 'content-length': '18, 18' });
    expect(res.status).toBe(400);
    expect(firstError(res)?.extensions['code']).toBe('BAD_REQUEST');
  });

  it('runs a batch up to LIMIT_BATCH operations (cost summed), refuses a larger one with 413 BAD_REQUEST', async () => {
    const ok = await post(world, [{ query: '{ ping }' }, { query: '{ products(first: 2) { edges { node { id } } } }' }]);
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual([{ data: { ping: true } }, { data: { products: { edges: [{ node: { id: 'prod-1' } }, { node: { id: 'prod-2' } }] } } }]);
    expect(ok.headers.get('x-operation-cost')).toBe('5');
    const tooMany = await post(world, Array.from({ length: 11 }, () => ({ query: '{ ping }' })));
    expect(tooMany.status).toBe(413);
    expect(firstError(tooMany)?.extensions['code']).toBe('BAD_REQUEST');
  });
});

describe('measure mode', () => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld({ env: { LIMITS_MODE: 'measure', LIMIT_COST: '10', LIMIT_TOKENS: '50' } });
  });
  afterAll(() => world.close());

  it('runs operations over the shape, token and cost limits and reports each one, unenforced', async () => {
    const query = `${DEEP.replace('query Deep { me { ...U1 } }', 'query Deep { me { ...U1 } products(first: 20) { edges { node { id } } } }')}`;
    const res = await post(world, { query, operationName: 'Deep' }, { 'x-request-id': 'req-m' });
    expect(res.status).toBe(200);
    expect((res.body as ErrorBody).errors[0]?.extensions['code']).toBe('UNAUTHENTICATED'); // `me` ran (no token)
    const events = limitEvents.map((e) => [e.limit, e.actual, e.max, e.enforced]);
    expect(events).toEqual([
      ['tokens', null, 50, false],
      ['depth', 11, 10, false],
      ['cost', 222_262, 10, false], // lists without a size count 10 per level: 11 levels deep adds up
    ]);
  });

  it('still refuses past the token ceiling (10 × the limit) and over the document size', async () => {
    const res = await post(world, { query: `{ me { ${'id '.repeat(500)}} }` });
    expect(res.status).toBe(400);
    expect(firstError(res)?.extensions).toMatchObject({ code: 'MAX_TOKENS_LIMIT', limit: { max: 500 } });
    const big = await post(world, { query: `{ ping } # ${'x'.repeat(33_000)}` });
    expect(big.status).toBe(413);
  });
});

describe('hostile documents', () => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld();
  });
  afterAll(() => world.close());

  const fanOut = Array.from({ length: 45 }, (_, i) => `fragment F${i} on Query { ${i === 44 ? 'ping' : `...F${i + 1} ... { ...F${i + 1} }`} }`).join('\n');
  const hostile: { name: string; body: unknown; status: number; code: string }[] = [
    { name: '10,000-level nesting', body: { query: `${'{a'.repeat(10_000)}${'}'.repeat(10_000)}` }, status: 400, code: 'MAX_TOKENS_LIMIT' },
    { name: '5,000 aliases', body: { query: `{ ${'a:ping '.repeat(5000)}}` }, status: 413, code: 'BAD_REQUEST' },
    { name: 'fragment cycle', body: { query: '{ ...A } fragment A on Query { ...B } fragment B on Query { ping ...A }' }, status: 422, code: 'GRAPHQL_VALIDATION_FAILED' },
    { name: 'fragment fan-out (2^44)', body: { query: `{ ...F0 }\n${fanOut}` }, status: 400, code: 'MAX_ROOT_FIELDS_LIMIT' },
    { name: '1,000 directives', body: { query: `{ ping ${'@a '.repeat(1000)}}` }, status: 400, code: 'MAX_DIRECTIVES_LIMIT' },
    { name: '5 MB document', body: { query: `{ ping } # ${'x'.repeat(5 * 1024 * 1024)}` }, status: 413, code: 'BAD_REQUEST' },
    { name: 'batch of 1,000 operations', body: Array.from({ length: 1000 }, () => ({ query: '{ ping }' })), status: 413, code: 'BAD_REQUEST' },
  ];

  it('refuses each with a 4xx and its code, memory bounded, and answers normally after', async () => {
    const before = process.memoryUsage().heapUsed;
    for (const doc of hostile) {
      // How fast each refusal is belongs to the benchmark; here, what it answers.
      const res = await post(world, doc.body);
      expect([doc.name, res.status, firstError(res)?.extensions['code']]).toEqual([doc.name, doc.status, doc.code]);
      const normal = await post(world, { query: '{ ping }' });
      expect(normal.body).toEqual({ data: { ping: true } });
    }
    const growthMb = (process.memoryUsage().heapUsed - before) / 1024 / 1024;
    console.info(`heap growth over the hostile series: ${growthMb.toFixed(1)} MB`);
    expect(growthMb).toBeLessThan(100);
  });

  it('in enforce mode, refuses them at the allowlist (403) before parsing', async () => {
    await using enforced = await startWorld({ env: { PERSISTED_OPERATIONS: 'enforce' } });
    const res = await post(enforced, hostile[0]?.body);
    expect(res.status).toBe(403);
    expect(firstError(res)?.extensions['code']).toBe('PERSISTED_QUERY_ONLY');
  });
});
