// The persisted-operation allowlist through the front door: both id forms (APQ and documentId) over
// GET and POST, the three modes, the bypass, and a tampered manifest refusing to start.
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildConfig, parseEnv } from '../../src/server/config';
import { DEV_JWT, mintDevToken } from '../../src/dev/dev-jwt';
import { OPERATION_CHANNELS, type PersistedAuditEvent } from '../../src/observability/channels';
import { sha256Hex } from '../../src/operations/manifest';
import { createGateway } from '../../src/server/gateway';
import { VALID_ENV } from '../helpers/valid-env';
import { startWorld, type World } from '../helpers/world';
import manifest from '../../persisted-queries/manifest.json';
import released from '../../persisted-queries/released/web@1.3.0.json';

const idOf = (name: string) => {
  const op = manifest.operations.find((o) => o.name === name);
  if (!op) throw new Error(`no ${name} in the manifest`);
  return op.id;
};
const apq = (hash: string) => ({ persistedQuery: { version: 1, sha256Hash: hash } });

interface Reply {
  status: number;
  headers: Headers;
  body: { data?: Record<string, unknown> | null; errors?: { message: string; extensions: Record<string, unknown> }[] };
}

async function send(world: World, init: { method?: 'GET' | 'POST'; body: Record<string, unknown>; headers?: Record<string, string> }): Promise<Reply> {
  const headers: Record<string, string> = { accept: 'application/graphql-response+json', ...init.headers };
  let response: Response;
  if (init.method === 'GET') {
    const params = new URLSearchParams(Object.entries(init.body).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]));
    response = await world.gateway.yoga.fetch(`http://gateway/api/graphql?${params}`, { headers: { 'apollo-require-preflight': 'true', ...headers } });
  } else {
    response = await world.gateway.yoga.fetch('http://gateway/api/graphql', { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(init.body) });
  }
  return { status: response.status, headers: response.headers, body: (await response.json()) as Reply['body'] };
}

const audits: PersistedAuditEvent[] = [];
const onAudit = (event: unknown) => audits.push(event as PersistedAuditEvent);
beforeAll(() => subscribe(OPERATION_CHANNELS.audit, onAudit));
afterAll(() => unsubscribe(OPERATION_CHANNELS.audit, onAudit));
afterEach(() => {
  audits.length = 0;
});

const BYPASS_SECRET = 'internal-bypass-secret-0123';

describe('enforce mode', () => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld({ env: { PERSISTED_OPERATIONS: 'enforce', PERSISTED_OPERATIONS_BYPASS_SECRET: BYPASS_SECRET } });
  });
  afterAll(() => world.close());

  it('runs a manifest operation by APQ hash (POST), with its cost in x-operation-cost', async () => {
    const res = await send(world, { body: { extensions: apq(idOf('OrderPage')) }, headers: { authorization: `Bearer ${await token('user-1')}` } });
    expect(res.status).toBe(200);
    expect(res.body.errors).toBeUndefined();
    expect((res.body.data?.['orders'] as { edges: unknown[] }).edges).toHaveLength(20);
    expect(res.headers.get('x-operation-cost')).toBe('1022');
  });

  it('runs one by APQ hash over GET, and by documentId (plain and sha256:-prefixed) over POST and GET', async () => {
    const variables = { id: 'prod-1' };
    const forms = [
      await send(world, { method: 'GET', body: { extensions: apq(idOf('ProductDetail')), variables } }),
      await send(world, { body: { documentId: idOf('ProductDetail'), variables } }),
      await send(world, { body: { documentId: `sha256:${idOf('ProductDetail')}`, variables } }),
      await send(world, { method: 'GET', body: { documentId: `sha256:${idOf('ProductDetail')}`, variables } }),
    ];
    for (const res of forms) {
      expect(res.status).toBe(200);
      expect((res.body.data?.['product'] as { id: string }).id).toBe('prod-1');
      expect(res.headers.get('x-operation-cost')).toBe('11');
    }
  });

  it('allows the operations of a retained released manifest too (the union)', async () => {
    const old = released.operations.find((o) => o.name === 'OrderPage');
    expect(old?.id).not.toBe(idOf('OrderPage'));
    const res = await send(world, { body: { extensions: apq(old?.id ?? '') }, headers: { authorization: `Bearer ${await token('user-1')}` } });
    expect(res.status).toBe(200);
    expect(res.body.errors).toBeUndefined();
  });

  it('answers an unknown hash with 404 PERSISTED_QUERY_NOT_FOUND and never registers one', async () => {
    const query = '{ ping }';
    const hash = sha256Hex(query);
    for (const body of [{ extensions: apq(hash) }, { extensions: apq(hash), query }, { extensions: apq(hash) }, { documentId: hash }]) {
      const res = await send(world, { body });
      expect(res.status).toBe(404);
      expect(res.body.errors?.[0]?.message).toBe('PersistedQueryNotFound');
      expect(res.body.errors?.[0]?.extensions['code']).toBe('PERSISTED_QUERY_NOT_FOUND');
    }
  });

  it('answers a hash that does not match the sent document with 400 PERSISTED_QUERY_HASH_MISMATCH', async () => {
    const res = await send(world, { body: { extensions: apq(idOf('Me')), query: '{ me { email } }' } });
    expect(res.status).toBe(400);
    expect(res.body.errors?.[0]?.extensions['code']).toBe('PERSISTED_QUERY_HASH_MISMATCH');
  });

  it('refuses an arbitrary document with 403 PERSISTED_QUERY_ONLY before any provider is called', async () => {
    world.resetCounts();
    const res = await send(world, { body: { query: '{ product(id: "prod-1") { title } }' } });
    expect(res.status).toBe(403);
    expect(res.body.errors?.[0]?.extensions['code']).toBe('PERSISTED_QUERY_ONLY');
    expect(world.counts().catalog).toBe(0);
  });

  it('runs a manifest body sent in full (it is that operation)', async () => {
    const body = manifest.operations.find((o) => o.name === 'UserProfile')?.body;
    const res = await send(world, { body: { query: body, variables: { id: 'user-2' } } });
    expect(res.status).toBe(200);
    expect((res.body.data?.['user'] as { id: string }).id).toBe('user-2');
  });

  it('refuses a malformed id with 400 BAD_REQUEST', async () => {
    const res = await send(world, { body: { documentId: 'not-a-hash' } });
    expect(res.status).toBe(400);
    expect(res.body.errors?.[0]?.extensions['code']).toBe('BAD_REQUEST');
  });

  it('refuses a persisted mutation over GET with 405 and Allow: POST', async () => {
    const res = await send(world, { method: 'GET', body: { documentId: idOf('PlaceOrder'), variables: { input: { lines: [] }, idempotencyKey: 'abcdefgh' } } });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST');
    expect(res.body.errors?.[0]?.extensions['code']).toBe('BAD_REQUEST');
  });

  it('lets a named internal client with the bypass secret run any document, and publishes it', async () => {
    const res = await send(world, { body: { query: 'query Probe { ping }', operationName: 'Probe' }, headers: { 'x-internal-client': `ops-console:${BYPASS_SECRET}`, 'x-request-id': 'req-bypass-1' } });
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({ ping: true });
    expect(audits).toEqual([{ requestId: 'req-bypass-1', reason: 'bypass', operationName: 'Probe', documentHash: sha256Hex('query Probe { ping }'), client: 'ops-console' }]);

    for (const header of [`ops-console:${BYPASS_SECRET}x`, `ops-console:wrong`, `:${BYPASS_SECRET}`, BYPASS_SECRET, `bad name!:${BYPASS_SECRET}`]) {
      const refused = await send(world, { body: { query: '{ ping }' }, headers: { 'x-internal-client': header } });
      expect(refused.status, header).toBe(403);
    }
  });
});

describe('audit mode', () => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld({ env: { PERSISTED_OPERATIONS: 'audit' } });
  });
  afterAll(() => world.close());

  it('runs an arbitrary document and publishes one audit event for it (and none for manifest operations)', async () => {
    const query = 'query Adhoc { ping }';
    const res = await send(world, { body: { query, operationName: 'Adhoc' }, headers: { 'x-request-id': 'req-audit-1' } });
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({ ping: true });
    const listed = await send(world, { body: { documentId: idOf('UserProfile'), variables: { id: 'user-2' } } });
    expect(listed.status).toBe(200);
    expect(audits).toEqual([{ requestId: 'req-audit-1', reason: 'audit', operationName: 'Adhoc', documentHash: sha256Hex(query), client: undefined }]);
  });

  it('answers an unknown hash with 200 PERSISTED_QUERY_NOT_FOUND; hash + document runs audited, unregistered', async () => {
    const query = '{ audited: ping }';
    const hash = sha256Hex(query);
    const first = await send(world, { body: { extensions: apq(hash) } });
    expect(first.status).toBe(200);
    expect(first.body.errors?.[0]?.extensions['code']).toBe('PERSISTED_QUERY_NOT_FOUND');
    const withQuery = await send(world, { body: { extensions: apq(hash), query } });
    expect(withQuery.body.data).toEqual({ audited: true });
    expect(audits).toHaveLength(1);
    const again = await send(world, { body: { extensions: apq(hash) } });
    expect(again.body.errors?.[0]?.extensions['code']).toBe('PERSISTED_QUERY_NOT_FOUND');
  });
});

describe('off mode (development)', () => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld();
  });
  afterAll(() => world.close());

  it('registers an APQ: unknown hash → 200 NOT_FOUND, hash + document → runs, then the hash alone runs', async () => {
    const query = '{ registered: ping }';
    const hash = sha256Hex(query);
    const miss = await send(world, { body: { extensions: apq(hash) } });
    expect(miss.status).toBe(200);
    expect(miss.body.errors?.[0]?.extensions['code']).toBe('PERSISTED_QUERY_NOT_FOUND');
    const register = await send(world, { body: { extensions: apq(hash), query } });
    expect(register.body.data).toEqual({ registered: true });
    const hit = await send(world, { method: 'GET', body: { extensions: apq(hash) } });
    expect(hit.status).toBe(200);
    expect(hit.body.data).toEqual({ registered: true });
  });

  it('still checks the hash against the document, and runs arbitrary documents without auditing', async () => {
    const mismatch = await send(world, { body: { extensions: apq(sha256Hex('{ ping }')), query: '{ other: ping }' } });
    expect(mismatch.status).toBe(400);
    expect(mismatch.body.errors?.[0]?.extensions['code']).toBe('PERSISTED_QUERY_HASH_MISMATCH');
    const adhoc = await send(world, { body: { query: '{ ping }' } });
    expect(adhoc.body.data).toEqual({ ping: true });
    expect(audits).toEqual([]);
  });
});

describe('startup', () => {
  it('refuses to start on a tampered manifest, naming the file and the operation', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pq-tampered-'));
    try {
      const body = 'query Me { me { id } }';
      const tampered = { format: 'apollo-persisted-query-manifest', version: 1, operations: [{ id: sha256Hex('query Me { me { name } }'), name: 'Me', type: 'query', body }] };
      writeFileSync(join(dir, 'manifest.json'), JSON.stringify(tampered));
      const config = buildConfig(parseEnv({ ...VALID_ENV, NODE_ENV: 'test', JWT_SECRET: DEV_JWT.secret, PERSISTED_QUERIES_DIR: dir }));
      expect(() => createGateway(config)).toThrow(`${join(dir, 'manifest.json')}: operation "Me" has id`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

const tokens = new Map<string, string>();
async function token(user: string): Promise<string> {
  let t = tokens.get(user);
  if (!t) tokens.set(user, (t = await mintDevToken(user)));
  return t;
}
