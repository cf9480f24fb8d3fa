// Request-scoped logs: one line per GraphQL request and per upstream attempt, errors once with
// their meta, and not one secret (keys, client secret, bearer tokens, JWTs) or provider host:port
// in any line or response body, whatever the traffic.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEV_JWT, mintDevToken } from '../../src/dev/dev-jwt';
import { DEV_CREDENTIALS } from '../../src/dev/upstreams';
import { perProvider } from '../../src/providers';
import { captureLog } from '../helpers/log-capture';
import { startWorld, type GqlResponse, type World } from '../helpers/world';

const ORDER_PAGE = `query OrderPage { orders(first: 5) { edges { node { id customer { name } lines { quantity product { title reviews { rating author { name } } } } } } } }`;

const log = captureLog();
let world: World;
const bodies: string[] = [];
const jwts: string[] = [];

async function gql(query: string, options: Parameters<World['gql']>[1] = {}): Promise<GqlResponse> {
  const res = await world.gql(query, options);
  bodies.push(JSON.stringify(res.body), JSON.stringify([...res.headers]));
  return res;
}

async function bearer(userId: string, options: Parameters<typeof mintDevToken>[1] = {}): Promise<string> {
  const jwt = await mintDevToken(userId, options);
  jwts.push(jwt);
  return `Bearer ${jwt}`;
}

const fast = { retry: { baseDelayMs: 1, maxDelayMs: 1 }, random: () => 0, timeouts: { attemptMs: 300 } };

beforeAll(async () => {
  world = await startWorld({
    telemetry: { logDestination: log.stream, logLevel: 'debug', processMetrics: false },
    http: perProvider(() => fast),
  });
});
afterAll(() => world.close());
beforeEach(() => {
  for (const server of world.upstreams.servers) server.clearFaults();
  log.clear();
});

describe('the request line', () => {
  it('writes one line per request with id, operation, client, hashed caller, status, duration and upstream counts', async () => {
    const headers = { 'graphql-client-name': 'ios-app', 'graphql-client-version': '4.2.0', 'x-request-id': 'req-lines-1' };
    const res = await gql(ORDER_PAGE, { as: await bearer('user-1'), headers });
    expect(res.status).toBe(200);
    const requests = log.lines().filter((l) => l.msg === 'graphql request');
    expect(requests).toHaveLength(1);
    const line = requests[0]!;
    expect(line).toMatchObject({
      level: 'info',
      requestId: 'req-lines-1',
      // Not a persisted operation: the aggregated field says `other`, the name sent stays on its own line.
      operation: 'other',
      operationSent: 'OrderPage',
      operationType: 'query',
      clientName: 'ios-app',
      clientVersion: '4.2.0',
      status: 200,
      outcome: 'success',
      upstreamCalls: 5,
      upstreamAttempts: 5,
      upstreamRetries: 0,
    });
    expect(line['caller']).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect(line['caller']).not.toContain('user-1');
    expect(typeof line['durationMs']).toBe('number');
    expect(line['cost']).toBeGreaterThan(1);
    expect(line['errors']).toBeUndefined();
  });

  it('hashes the same caller to the same value and another caller to another', async () => {
    await gql('{ me { id } }', { as: await bearer('user-2') });
    await gql('{ me { id } }', { as: await bearer('user-2') });
    await gql('{ me { id } }', { as: await bearer('user-3') });
    const callers = log.lines().filter((l) => l.msg === 'graphql request').map((l) => l['caller']);
    expect(callers[0]).toBe(callers[1]);
    expect(callers[2]).not.toBe(callers[0]);
  });

  it('reads the Apollo client headers too, and names the persisted hash a client sent', async () => {
    const hash = 'a'.repeat(64);
    await gql('{ ping }', { headers: { 'apollographql-client-name': 'web', 'apollographql-client-version': '1.0' }, extensions: { persistedQuery: { version: 1, sha256Hash: hash } } });
    const line = log.lines().find((l) => l.msg === 'graphql request');
    expect(line).toMatchObject({ clientName: 'web', clientVersion: '1.0', persistedHash: hash });
  });
});

describe('upstream attempt lines', () => {
  it('logs each attempt with its route template (no ids, no host), status, attempt and retry reason', async () => {
    world.upstreams.catalog.fault({ kind: 'status', status: 502 }, { times: 1 });
    const res = await gql(ORDER_PAGE, { as: await bearer('user-1'), headers: { 'x-request-id': 'req-retry-1' } });
    expect(res.body.errors).toBeUndefined();
    const catalog = log.lines().filter((l) => l.msg === 'upstream attempt' && l['provider'] === 'catalog');
    expect(catalog.map((l) => [l['attempt'], l['status'], l['outcome'], l['retryReason'] ?? null])).toEqual([
      [1, 502, 'server_error', null],
      [2, 200, 'ok', '502'],
    ]);
    expect(catalog[0]).toMatchObject({ level: 'warn', requestId: 'req-retry-1', method: 'GET', route: '/products?ids', breaker: 'closed' });
    expect(catalog[1]!['level']).toBe('info');
    const routes = log.lines().filter((l) => l.msg === 'upstream attempt').map((l) => String(l['route']));
    expect(routes.length).toBe(6);
    for (const route of routes) expect(route).not.toMatch(/user-|sku-|o-\d|=/);
    const request = log.lines().find((l) => l.msg === 'graphql request');
    expect(request).toMatchObject({ requestId: 'req-retry-1', upstreamAttempts: 6, upstreamRetries: 1, outcome: 'success' });
  });

  it("carries the provider's rate-limit headers when it sent some (a 429 with Retry-After)", async () => {
    world.upstreams.accounts.fault({ kind: 'rate-limit', retryAfter: '0' }, { times: 1 });
    await gql('{ user(id: "user-4") { name } }');
    const first = log.lines().find((l) => l.msg === 'upstream attempt' && l['provider'] === 'accounts');
    expect(first).toMatchObject({ status: 429, rateLimit: { 'retry-after': '0' } });
  });
});

describe('LOG_UPSTREAM_ATTEMPTS=failed', () => {
  it('keeps only the attempts that failed or were retries', async () => {
    const quiet = captureLog();
    const w = await startWorld({ env: { LOG_UPSTREAM_ATTEMPTS: 'failed' }, telemetry: { logDestination: quiet.stream, logLevel: 'info', processMetrics: false }, http: { catalog: fast } });
    try {
      w.upstreams.catalog.fault({ kind: 'status', status: 502 }, { times: 1 });
      await w.gql(ORDER_PAGE, { as: 'user-1' });
      const attempts = quiet.lines().filter((l) => l.msg === 'upstream attempt');
      expect(attempts.map((l) => [l['provider'], l['attempt'], l['status']])).toEqual([
        ['catalog', 1, 502],
        ['catalog', 2, 200],
      ]);
      expect(quiet.lines().filter((l) => l.msg === 'graphql request')).toHaveLength(1);
    } finally {
      await w.close();
    }
  });
});

describe('errors', () => {
  it('logs an upstream failure once per request, with the request id and the AppError meta, never to the client', async () => {
    world.upstreams.catalog.fault({ kind: 'status', status: 502 });
    const res = await gql(ORDER_PAGE, { as: await bearer('user-1'), headers: { 'x-request-id': 'req-502' } });
    expect(res.status).toBe(200);
    const codes = (res.body.errors ?? []).map((e) => e.extensions['code']);
    expect(codes.length).toBeGreaterThan(1);
    expect(new Set(codes)).toEqual(new Set(['UPSTREAM_UNAVAILABLE']));
    expect(JSON.stringify(res.body)).not.toContain('server_error');

    const errorLines = log.lines().filter((l) => l.msg === 'graphql error');
    expect(errorLines).toHaveLength(1);
    expect(errorLines[0]).toMatchObject({
      level: 'warn',
      requestId: 'req-502',
      code: 'UPSTREAM_UNAVAILABLE',
      fields: codes.length,
      err: { type: 'AppError', meta: { method: 'GET', route: '/products?ids', status: 502, reason: 'server_error', attempts: 3 } },
    });
    const request = log.lines().find((l) => l.msg === 'graphql request');
    expect(request).toMatchObject({ outcome: 'partial', errors: ['UPSTREAM_UNAVAILABLE'], upstreamRetries: 2 });
  });

  it('gives client mistakes no error line of their own: their codes are on the request line', async () => {
    await gql('{ nope }');
    await gql('{ ping');
    const lines = log.lines();
    expect(lines.filter((l) => l.msg === 'graphql error')).toHaveLength(0);
    expect(lines.filter((l) => l.msg === 'graphql request').map((l) => [l['status'], l['errors']])).toEqual([
      [422, ['GRAPHQL_VALIDATION_FAILED']],
      [400, ['GRAPHQL_PARSE_FAILED']],
    ]);
  });
});

describe('no secret and no provider host in any line or body', () => {
  it('holds across normal traffic, faults, auth failures and OAuth token fetches', async () => {
    const user = await bearer('user-5');
    await gql(ORDER_PAGE, { as: user, headers: { cookie: 'session=s3cr3t-cookie-value' } });
    for (const [provider, fault] of [
      ['catalog', { kind: 'status', status: 502 }],
      ['accounts', { kind: 'hang' }],
      ['reviews', { kind: 'malformed' }],
      ['catalog', { kind: 'invalid-json' }],
      ['accounts', { kind: 'reset' }],
      ['reviews', { kind: 'status', status: 503 }],
    ] as const) {
      world.upstreams[provider].fault(fault, { times: 3 });
      await gql(ORDER_PAGE, { as: user });
      world.upstreams[provider].clearFaults();
    }
    // The caller's own credentials, wrong: a forged JWT, an expired one, and garbage.
    expect((await gql('{ me { id } }', { as: await bearer('user-6', { secret: 'not-the-secret-but-long-enough-0123456789' }) })).status).toBe(401);
    expect((await gql('{ me { id } }', { as: await bearer('user-6', { expiresIn: -60 }) })).status).toBe(401);
    expect((await gql('{ me { id } }', { as: 'Bearer not-a-jwt' })).status).toBe(401);
    // Our credentials refused: the orders token is revoked (401, refresh, re-send), then the token endpoint fails.
    world.upstreams.auth.revokeAll();
    await gql(ORDER_PAGE, { as: user });
    world.upstreams.auth.revokeAll();
    world.upstreams.auth.fault({ kind: 'status', status: 401 });
    const refused = await gql(ORDER_PAGE, { as: user });
    expect(refused.body.errors?.map((e) => e.extensions['code'])).toContain('UPSTREAM_AUTH_FAILED');

    const issued = world.upstreams.orders.requests
      .map((r) => /^Bearer (.+)$/.exec(r.headers['authorization'] ?? '')?.[1])
      .filter((t): t is string => t !== undefined);
    expect(issued.length).toBeGreaterThan(0);
    const hosts = Object.values(world.upstreams.urls).map((url) => new URL(url).host);
    const secrets = [
      ...Object.values(DEV_CREDENTIALS).filter((v) => v !== DEV_CREDENTIALS.ordersClientId),
      DEV_JWT.secret,
      ...jwts,
      ...new Set(issued),
      Buffer.from(`${DEV_CREDENTIALS.ordersClientId}:${DEV_CREDENTIALS.ordersClientSecret}`).toString('base64'),
      's3cr3t-cookie-value',
      ...hosts,
    ];
    const lines = log.raw();
    if (process.env['DUMP_LINES']) (await import('node:fs')).writeFileSync('/tmp/obs/lines.txt', lines.join('\n'));
    expect(lines.length).toBeGreaterThan(40);
    expect(lines.filter((l) => l.includes('"graphql error"')).length).toBeGreaterThan(4);
    expect(lines.some((l) => l.includes('"upstream token"'))).toBe(true);
    for (const text of [...lines, ...bodies]) {
      for (const secret of secrets) expect(text, `a line or body leaks ${secret.slice(0, 12)}…`).not.toContain(secret);
      expect(text).not.toMatch(/Bearer (?!\[REDACTED\])[A-Za-z0-9]/);
    }
  });
});
