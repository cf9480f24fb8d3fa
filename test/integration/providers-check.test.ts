// `npm run providers:check` (issue 25) through its real door, the command: the environment the demo
// gives `npm start`, the gateway's own HTTP clients, real loopback simulators. A simulator made to
// drift (a renamed field, a re-typed value, an unknown enum value, a GraphQL field dropped or re-typed)
// fails the check naming the provider and the field; untouched simulators pass; each run's calls are
// counted from the simulators' request logs.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { demoEnv } from '../../src/dev/demo-env';
import { ACCOUNTS_SDL, fixtures, REVIEWS_SDL, startUpstreams, type Upstreams } from '../../src/dev/upstreams';
import { DEFINITIONS, PROVIDER_NAMES } from '../../src/providers';
import { providersCheckCommand } from '../../src/tooling/providers-check-command';
import { startWorld } from '../helpers/world';
import type { ProvidersCheckReport } from '../../src/tooling/providers-check';

interface Run {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

async function check(upstreams: Upstreams, args: readonly string[] = []): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await providersCheckCommand(args, demoEnv(upstreams), { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

async function checkJson(upstreams: Upstreams, args: readonly string[] = []): Promise<{ code: number; report: ProvidersCheckReport }> {
  const run = await check(upstreams, ['--json', ...args]);
  // With --json the report is on stdout whatever the outcome (`--json > providers-check.json`), stderr stays empty.
  expect(run.err).toBe('');
  return { code: run.code, report: JSON.parse(run.out) as ProvidersCheckReport };
}

function providerOf(report: ProvidersCheckReport, name: string) {
  const provider = report.providers.find((p) => p.provider === name);
  if (!provider) throw new Error(`no ${name} in the report`);
  return provider;
}

function callOf(report: ProvidersCheckReport, provider: string, call: string) {
  const found = providerOf(report, provider).calls.find((c) => c.call === call);
  if (!found) throw new Error(`no ${call} of ${provider} in the report`);
  return found;
}

/** The stock of the catalog probe's sample product (prod-1), from the simulators' fixtures. */
const SAMPLE_STOCK = fixtures.product('prod-1')?.stock_qty;

const PASSING_CALLS = {
  orders: ['GET /orders/:id', 'GET /orders?customer_id', 'GET /orders?customer_ids'],
  catalog: ['GET /products?ids', 'GET /products?limit'],
  accounts: ['document Users', 'POST /graphql Users'],
  reviews: ['document ProductReviews', 'POST /graphql ProductReviews'],
};

/** The demo schema of accounts without one field of Account. */
function accountsSdlWithout(field: string): string {
  const lines = ACCOUNTS_SDL.split('\n').filter((line) => line.trim().split(':')[0] !== field);
  expect(lines.length).toBe(ACCOUNTS_SDL.split('\n').length - 1);
  return lines.join('\n');
}

/** Every registered provider's status in registry order: `ok` unless named (a provider added later is expected ok too). */
function statusesWith(changed: Readonly<Record<string, string>>): [string, string][] {
  return PROVIDER_NAMES.map((name) => [name, changed[name] ?? 'ok']);
}

describe('npm run providers:check against the simulated providers', () => {
  it('passes against untouched simulators: every call ok, 9 provider calls and 1 OAuth token per run', async () => {
    await using upstreams = await startUpstreams();
    const { code, report } = await checkJson(upstreams);
    expect(code).toBe(0);
    // The JSON report's shape, key by key: one entry per registered provider, in the registry's order.
    expect(Object.keys(report)).toEqual(['status', 'providers', 'requests']);
    expect(report.providers.map((p) => p.provider)).toEqual(PROVIDER_NAMES);
    expect(report.providers.map((p) => Object.keys(p))).toEqual(
      DEFINITIONS.map((d) => (d.contract.documents === undefined ? ['provider', 'status', 'calls'] : ['provider', 'status', 'schemaSource', 'calls'])),
    );
    expect(report.status).toBe('ok');
    expect(report.providers.filter((p) => p.provider in PASSING_CALLS).map((p) => [p.provider, p.status, p.schemaSource ?? null, p.calls.map((c) => c.call)])).toEqual([
      ['orders', 'ok', null, PASSING_CALLS.orders],
      ['catalog', 'ok', null, PASSING_CALLS.catalog],
      ['accounts', 'ok', 'introspection', PASSING_CALLS.accounts],
      ['reviews', 'ok', 'introspection', PASSING_CALLS.reviews],
    ]);
    for (const provider of report.providers) for (const call of provider.calls) expect(call).toEqual({ call: call.call, status: 'ok', findings: [] });
    // What a run costs, as the providers saw it (a provider added to the registry adds its own calls).
    expect({
      orders: upstreams.orders.count(),
      catalog: upstreams.catalog.count(),
      accounts: upstreams.accounts.count(),
      reviews: upstreams.reviews.count(),
      auth: upstreams.auth.count(),
      identity: upstreams.identity.count(),
    }).toEqual({ orders: 3, catalog: 2, accounts: 2, reviews: 2, auth: 1, identity: 0 });
    const providerCalls = upstreams.servers.reduce((sum, server) => sum + server.count(), 0) - upstreams.auth.count() - upstreams.identity.count();
    expect(report.requests).toBe(providerCalls);
    expect(upstreams.orders.requests.every((r) => r.method === 'GET')).toBe(true);
    expect(upstreams.accounts.requests.map((r) => r.method)).toEqual(['POST', 'POST']);
  });

  it('the text report of a passing run names every provider and call', async () => {
    await using upstreams = await startUpstreams();
    const run = await check(upstreams);
    expect(run.code).toBe(0);
    expect(run.err).toBe('');
    const requests = upstreams.servers.reduce((sum, server) => sum + server.count(), 0) - upstreams.auth.count() - upstreams.identity.count();
    expect(run.out.split('\n')[0]).toBe(`providers:check ok: ${PROVIDER_NAMES.length} providers, ${requests} calls`);
    expect(run.out).toContain('accounts: ok (schema by introspection)\n  ok    document Users\n  ok    POST /graphql Users');
  });

  it('a catalog field renamed (stock_qty → stockQty) fails with exit 1, naming catalog and items[].stock_qty', async () => {
    await using upstreams = await startUpstreams();
    const rename = (body: unknown) => {
      const { items, ...rest } = body as { items: Record<string, unknown>[] };
      return { ...rest, items: items.map(({ stock_qty, ...product }) => ({ ...product, stockQty: stock_qty })) };
    };
    upstreams.catalog.fault({ kind: 'drift', reshape: rename }, { match: { path: '/products' } });
    const { code, report } = await checkJson(upstreams);
    expect(code).toBe(1);
    expect(report.status).toBe('drift');
    expect(report.providers.map((p) => [p.provider, p.status])).toEqual(statusesWith({ catalog: 'drift' }));
    expect(callOf(report, 'catalog', 'GET /products?ids')).toEqual({
      call: 'GET /products?ids',
      status: 'drift',
      findings: [
        { severity: 'drift', kind: 'missing', path: 'items[].stock_qty', expected: 'number', found: 'nothing', count: 1 },
        { severity: 'info', kind: 'extra', path: 'items[].stockQty', expected: 'no such field', found: `number ${SAMPLE_STOCK}`, count: 1 },
      ],
    });
    // The listing's two items share one finding each.
    expect(callOf(report, 'catalog', 'GET /products?limit').findings.map((f) => [f.kind, f.path, f.count])).toEqual([
      ['missing', 'items[].stock_qty', 2],
      ['extra', 'items[].stockQty', 2],
    ]);
  });

  it('the text report of a drifted catalog names the provider, the call and the field', async () => {
    await using upstreams = await startUpstreams();
    upstreams.catalog.fault(
      { kind: 'drift', reshape: (body) => ({ ...(body as object), items: (body as { items: object[] }).items.map((p) => ({ ...p, stock_qty: String((p as { stock_qty: number }).stock_qty) })) }) },
      { match: { path: '/products' } },
    );
    const run = await check(upstreams, ['--provider', 'catalog']);
    expect(run.code).toBe(1);
    expect(run.out).toBe('');
    expect(run.err).toBe(
      [
        'providers:check drift: 1 providers, 2 calls',
        '',
        'catalog: drift',
        '  drift GET /products?ids',
        `      items[].stock_qty: re-typed: expected number, found string "${SAMPLE_STOCK}"`,
        '  drift GET /products?limit',
        `      items[].stock_qty: re-typed: expected number, found string "${SAMPLE_STOCK}" (2 items)`,
      ].join('\n'),
    );
  });

  it('an orders total re-typed to a string and an unknown status fail naming orders, total_cents and status', async () => {
    await using upstreams = await startUpstreams();
    upstreams.orders.fault({ kind: 'drift', reshape: (order) => ({ ...(order as object), total_cents: '12.50', status: 'RETURNED' }) }, { match: { path: '/orders/*' } });
    const { code, report } = await checkJson(upstreams);
    expect(code).toBe(1);
    expect(providerOf(report, 'orders').status).toBe('drift');
    expect(callOf(report, 'orders', 'GET /orders/:id').findings).toEqual([
      { severity: 'drift', kind: 'unknown-enum', path: 'status', expected: 'one of "PLACED" | "SHIPPED" | "DELIVERED"', found: 'string "RETURNED"', count: 1 },
      { severity: 'drift', kind: 'retyped', path: 'total_cents', expected: 'number', found: 'string "12.50"', count: 1 },
    ]);
    expect(callOf(report, 'orders', 'GET /orders?customer_id').status).toBe('ok');
  });

  it('accounts dropping a field the gateway selects fails: the document names users.emailAddress, the probe the provider error', async () => {
    await using upstreams = await startUpstreams();
    upstreams.accounts.driftSchema(accountsSdlWithout('emailAddress'));
    const { code, report } = await checkJson(upstreams);
    expect(code).toBe(1);
    expect(report.providers.map((p) => [p.provider, p.status])).toEqual(statusesWith({ accounts: 'drift' }));
    expect(callOf(report, 'accounts', 'document Users')).toEqual({
      call: 'document Users',
      status: 'drift',
      findings: [
        { severity: 'drift', kind: 'document', path: 'users.emailAddress', expected: "valid against the provider's schema", found: 'Cannot query field "emailAddress" on type "Account".', count: 1 },
      ],
    });
    expect(callOf(report, 'accounts', 'POST /graphql Users')).toEqual({
      call: 'POST /graphql Users',
      status: 'drift',
      findings: [{ severity: 'drift', kind: 'graphql-error', path: '(answer)', expected: 'no errors', found: 'Cannot query field "emailAddress" on type "Account".', count: 1 }],
    });
  });

  it('reviews re-typing Review.score from Int to String fails naming _entities[].reviews[].score', async () => {
    await using upstreams = await startUpstreams();
    upstreams.reviews.driftSchema(REVIEWS_SDL.replace('score: Int!', 'score: String!'));
    const { code, report } = await checkJson(upstreams);
    expect(code).toBe(1);
    // The document still validates (a leaf's type is not part of a selection); the answer does not.
    expect(callOf(report, 'reviews', 'document ProductReviews').status).toBe('ok');
    expect(callOf(report, 'reviews', 'POST /graphql ProductReviews').findings.map((f) => [f.kind, f.path, f.expected, f.found.split(' ')[0], f.count])).toEqual([
      ['retyped', '_entities[].reviews[].score', 'number', 'string', 4],
    ]);
  });

  it('with --sdl, a recorded schema is read instead of introspecting: a field missing from it fails, no introspection is sent', async () => {
    await using upstreams = await startUpstreams();
    const dir = mkdtempSync(path.join(tmpdir(), 'providers-check-sdl-'));
    try {
      writeFileSync(path.join(dir, 'accounts.graphql'), accountsSdlWithout('createdAt'));
      writeFileSync(path.join(dir, 'reviews.graphql'), `directive @key(fields: String!) on OBJECT\n${REVIEWS_SDL.replace('type Product {', 'type Product @key(fields: "id") {')}`);
      const { code, report } = await checkJson(upstreams, ['--sdl', dir]);
      expect(code).toBe(1);
      expect(providerOf(report, 'accounts').schemaSource).toBe('sdl-file');
      expect(callOf(report, 'accounts', 'document Users').findings.map((f) => f.path)).toEqual(['users.createdAt']);
      // The provider itself still serves the field: its probe passes.
      expect(callOf(report, 'accounts', 'POST /graphql Users').status).toBe('ok');
      expect(providerOf(report, 'reviews').status).toBe('ok');
      // The two GraphQL providers' introspections are not sent: every provider call is a probe.
      expect([upstreams.accounts.count(), upstreams.reviews.count()]).toEqual([1, 1]);
      expect(report.requests).toBe(upstreams.servers.reduce((sum, server) => sum + server.count(), 0) - upstreams.auth.count() - upstreams.identity.count());
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('introspection refused by a provider is an error (exit 2) that says to record its SDL; the other calls still run', async () => {
    await using upstreams = await startUpstreams();
    upstreams.accounts.fault({ kind: 'drift', reshape: () => ({ errors: [{ message: 'GraphQL introspection is not allowed' }] }) }, { times: 1 });
    const { code, report } = await checkJson(upstreams);
    expect(code).toBe(2);
    expect(report.status).toBe('error');
    expect(providerOf(report, 'accounts').calls).toEqual([
      {
        call: 'schema (introspection)',
        status: 'error',
        findings: [],
        error: "introspection refused (HTTP 200: GraphQL introspection is not allowed); record the provider's SDL and pass --sdl <dir>",
      },
      { call: 'POST /graphql Users', status: 'ok', findings: [] },
    ]);
  });

  it('a GraphQL error of a valid document run (a resolver failing, HTTP 200) is an error (exit 2), not drift', async () => {
    await using upstreams = await startUpstreams();
    // The second accounts call is the probe (the first is the introspection).
    const failing = () => ({ data: { users: null }, errors: [{ message: 'database timed out', path: ['users'], extensions: { code: 'INTERNAL_SERVER_ERROR' } }] });
    upstreams.accounts.fault({ kind: 'drift', reshape: failing }, { every: 2, times: 1 });
    const { code, report } = await checkJson(upstreams, ['--provider', 'accounts']);
    expect(code).toBe(2);
    expect(report.status).toBe('error');
    expect(providerOf(report, 'accounts').calls).toEqual([
      { call: 'document Users', status: 'ok', findings: [] },
      { call: 'POST /graphql Users', status: 'error', findings: [], error: 'provider error: INTERNAL_SERVER_ERROR: database timed out' },
    ]);
    expect(upstreams.accounts.count()).toBe(2);
  });

  it('a GraphQL error coded as a validation failure stays drift (exit 1), whatever else the answer holds', async () => {
    await using upstreams = await startUpstreams();
    const refused = () => ({ data: null, errors: [{ message: 'Cannot query field "name" on type "Account".', extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }] });
    upstreams.accounts.fault({ kind: 'drift', reshape: refused }, { every: 2, times: 1 });
    const { code, report } = await checkJson(upstreams, ['--provider', 'accounts']);
    expect(code).toBe(1);
    expect(callOf(report, 'accounts', 'POST /graphql Users')).toEqual({
      call: 'POST /graphql Users',
      status: 'drift',
      findings: [{ severity: 'drift', kind: 'graphql-error', path: '(answer)', expected: 'no errors', found: 'Cannot query field "name" on type "Account".', count: 1 }],
    });
  });

  it('provider text in the text report is escaped: a message cannot add a line or drive the terminal', async () => {
    await using upstreams = await startUpstreams();
    const hostile = 'boom\n  ok    POST /graphql Users\u001b[2J\u202e';
    upstreams.accounts.fault({ kind: 'drift', reshape: () => ({ errors: [{ message: hostile }] }) }, { every: 2, times: 1 });
    upstreams.accounts.fault({ kind: 'drift', reshape: () => ({ errors: [{ message: `no introspection\r\u001b]0;pwned\u0007` }] }) }, { times: 1 });
    const run = await check(upstreams, ['--provider', 'accounts']);
    expect(run.code).toBe(1);
    expect(run.out).toBe('');
    expect(run.err.split('\n')).toEqual([
      'providers:check drift: 1 providers, 2 calls',
      '',
      'accounts: drift (schema by introspection)',
      "  error schema (introspection): introspection refused (HTTP 200: no introspection\\r\\u001b]0;pwned\\u0007); record the provider's SDL and pass --sdl <dir>",
      '  drift POST /graphql Users',
      '      (answer): provider error: expected no errors, found boom\\n  ok    POST /graphql Users\\u001b[2J\\u202e',
    ]);
  });

  it('a provider that is down is an error (exit 2) with its code, not a drift', async () => {
    await using upstreams = await startUpstreams();
    upstreams.catalog.fault({ kind: 'status', status: 503 });
    const { code, report } = await checkJson(upstreams, ['--provider', 'catalog', '--timeout-ms', '2000']);
    expect(code).toBe(2);
    expect(callOf(report, 'catalog', 'GET /products?ids')).toMatchObject({ status: 'error', findings: [] });
    expect(callOf(report, 'catalog', 'GET /products?ids').error).toMatch(/^UPSTREAM_UNAVAILABLE/);
  });

  it('--sample replaces a probe id: the provider receives it; at 256 characters it is sent, at 257 refused with no call', async () => {
    await using upstreams = await startUpstreams();
    const first = await checkJson(upstreams, ['--provider', 'catalog', '--sample', 'catalog.productId=prod-2']);
    expect(first.code).toBe(0);
    expect(upstreams.catalog.requests[0]?.query).toEqual({ ids: 'prod-2' });

    const atLimit = `ord-${'9'.repeat(252)}`;
    expect(atLimit.length).toBe(256);
    const sent = await checkJson(upstreams, ['--provider', 'orders', '--sample', `orders.orderId=${atLimit}`]);
    expect(sent.code).toBe(2);
    expect(callOf(sent.report, 'orders', 'GET /orders/:id').error).toBe('HTTP 404: does the sample exist on this provider? (--sample)');
    expect(upstreams.orders.count({ path: `/orders/${atLimit}` })).toBe(1);

    const before = upstreams.orders.count();
    const refused = await check(upstreams, ['--provider', 'orders', '--sample', `orders.orderId=${atLimit}9`]);
    expect(refused.code).toBe(2);
    expect(refused.err.split('\n')[0]).toBe('providers:check: --sample orders.orderId: at most 256 characters');
    expect(upstreams.orders.count()).toBe(before);
  });

  it('misuse exits 2 with the usage and calls no provider: an unknown option, provider or sample name', async () => {
    await using upstreams = await startUpstreams();
    const unknownOption = await check(upstreams, ['--jsn']);
    expect(unknownOption.code).toBe(2);
    expect(unknownOption.err).toContain("Unknown option '--jsn'");
    expect((await check(upstreams, ['--provider', 'nosuch'])).err.split('\n')[0]).toBe(`providers:check: --provider: unknown nosuch (one of ${PROVIDER_NAMES.join(', ')})`);
    expect((await check(upstreams, ['--sample', 'catalog.sku=prod-2'])).err.split('\n')[0]).toBe('providers:check: --sample: catalog has no sample sku (it has productId)');
    expect(upstreams.servers.map((server) => server.count())).toEqual(upstreams.servers.map(() => 0));
  });
});

describe('the GraphQL documents the contracts validate', () => {
  it('are every document the gateway sends accounts and reviews while serving an order page', async () => {
    await using world = await startWorld();
    const res = await world.gql('{ orders(first: 5) { edges { node { customer { name } lines { product { reviews { rating author { name } } } } } } } }', { as: 'user-1' });
    expect(res.status).toBe(200);
    expect(res.body.errors).toBeUndefined();
    for (const name of ['accounts', 'reviews'] as const) {
      const declared = Object.values(DEFINITIONS.find((d) => d.name === name)?.contract.documents ?? {});
      const sent = new Set(world.upstreams[name].requests.map((r) => (r.body as { query?: unknown }).query));
      expect(sent.size).toBeGreaterThan(0);
      for (const document of sent) expect(declared, `${name} received a document its contract does not declare`).toContain(document);
    }
  });
});
