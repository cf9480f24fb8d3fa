// ops:check on fixture schemas and operations (in-process through runOpsCheck), one spawn of the
// real CLI, and the repository's own operations, which must pass.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runOpsCheck, type OpsCheckOptions } from '../../src/tooling/check-ops';
import { readManifestTexts, readSchemaSdl } from '../../src/tooling/check-sources';
import { DEFAULT_OPERATION_LIMITS } from '../../src/operations/limits';
import { readOperationTexts } from '../../src/operations/manifest-files';

const FIXTURE = 'test/fixtures/ops-check';
const PQ = `${FIXTURE}/persisted-queries`;
const schemaSdl = readSchemaSdl(`${FIXTURE}/schema`);
const source = (name: string) => {
  const file = `${PQ}/operations/${name}`;
  return { file, source: readFileSync(file, 'utf8') };
};
const released = (name: string) => {
  const path = `${PQ}/released/${name}`;
  return { source: path, text: readFileSync(path, 'utf8') };
};

function check(options: Partial<OpsCheckOptions>) {
  return runOpsCheck({ schemaSdl, sources: [], manifests: [], ...options });
}

describe('runOpsCheck', () => {
  it('passes a valid operation and reports its depth and cost in the table', () => {
    const result = check({ sources: [source('order-total.graphql')], manifests: [released('web@1.0.0.json')] });
    expect(result.exitCode).toBe(0);
    expect(result.problems).toEqual([]);
    expect(result.table).toEqual([
      { operation: 'OrderTotal', sources: [`${PQ}/operations/order-total.graphql`, `${PQ}/released/web@1.0.0.json`], depth: 3, cost: 9, scopes: '-', status: 'ok' },
    ]);
    expect(result.report).toContain('ops:check passed: 1 operation(s).');
  });

  it('reports a field the schema does not have at its line and column, compiler-style', () => {
    const result = check({ sources: [source('checkout.graphql')] });
    expect(result.exitCode).toBe(1);
    expect(result.problems).toEqual([
      {
        file: `${PQ}/operations/checkout.graphql`,
        line: 4,
        column: 5,
        message: 'Cannot query field "totl" on type "Order". Did you mean "total"?',
        code: 'GRAPHQL_VALIDATION_FAILED',
      },
    ]);
    expect(result.report.split('\n')[0]).toBe(
      `${PQ}/operations/checkout.graphql:4:5 Cannot query field "totl" on type "Order". Did you mean "total"? [GRAPHQL_VALIDATION_FAILED]`,
    );
    expect(result.table).toEqual([{ operation: 'Checkout', sources: [`${PQ}/operations/checkout.graphql`], depth: null, cost: null, scopes: '-', status: 'GRAPHQL_VALIDATION_FAILED' }]);
  });

  it('fails an operation over the server cost limit with the estimate in the message', () => {
    const result = check({ sources: [source('all-reviews.graphql')] });
    expect(result.exitCode).toBe(1);
    expect(result.problems).toEqual([
      {
        file: `${PQ}/operations/all-reviews.graphql`,
        line: 2,
        column: 1,
        message: `Operation "AllReviews" has an estimated cost of 6000, over the limit of ${DEFAULT_OPERATION_LIMITS.maxCost}.`,
        code: 'COST_ESTIMATED_TOO_EXPENSIVE',
      },
    ]);
    expect(result.table[0]).toMatchObject({ operation: 'AllReviews', depth: 2, cost: 6000, status: 'COST_ESTIMATED_TOO_EXPENSIVE' });
  });

  it('applies the depth limit it is given, as the server does', () => {
    const result = check({ sources: [source('order-total.graphql')], limits: { ...DEFAULT_OPERATION_LIMITS, maxDepth: 2 } });
    expect(result.exitCode).toBe(1);
    expect(result.problems.map((p) => [p.line, p.message, p.code])).toEqual([[2, 'Operation "OrderTotal" is 3 levels deep, over the limit of 2.', 'MAX_DEPTH_LIMIT']]);
  });

  it('costs a required slicing variable at the assumed list size', () => {
    const sources = [{ file: 'first.graphql', source: 'query Page($n: Int!) {\n  products(first: $n) {\n    id\n  }\n}\n' }];
    expect(check({ sources }).table[0]).toMatchObject({ operation: 'Page', cost: 10, status: 'ok' });
  });

  it('validates retained manifest operations and places the error inside the body', () => {
    const result = check({ manifests: [released('web@0.9.0.json')] });
    expect(result.problems).toEqual([
      { file: `${PQ}/released/web@0.9.0.json#OldOrder`, line: 4, column: 5, message: 'Cannot query field "legacyCode" on type "Order".', code: 'GRAPHQL_VALIDATION_FAILED' },
    ]);
    expect(result.exitCode).toBe(1);
  });

  it('reports a manifest whose id is not the hash of its body', () => {
    const { source: path, text } = released('web@1.0.0.json');
    const tampered = text.replace('total\\n', 'total\\n    id\\n');
    const result = check({ manifests: [{ source: path, text: tampered }] });
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]).toMatchObject({ file: path, line: 1, column: 1, code: 'PERSISTED_QUERY_HASH_MISMATCH' });
    expect(result.problems[0]?.message).toMatch(/^operation "OrderTotal" has id d55f2dc5\w+ but its body hashes to [0-9a-f]{64}/);
    expect(result.exitCode).toBe(1);
  });

  it('reports a parse error, a duplicate operation name and an unknown fragment', () => {
    const sources = [
      { file: 'a.graphql', source: 'query A {\n  order(id: "1") {\n' },
      { file: 'b.graphql', source: 'query B { order(id: "1") { id } }\n' },
      { file: 'c.graphql', source: 'query B { order(id: "1") { id } }\n' },
      { file: 'd.graphql', source: 'query D { order(id: "1") { ...Missing } }\n' },
    ];
    const result = check({ sources });
    expect(result.problems.map((p) => `${p.file}:${p.line}:${p.column} [${p.code}]`)).toEqual([
      'a.graphql:3:1 [GRAPHQL_PARSE_FAILED]',
      'c.graphql:1:1 [GRAPHQL_VALIDATION_FAILED]',
      'd.graphql:1:31 [GRAPHQL_VALIDATION_FAILED]',
    ]);
    expect(result.problems[1]?.message).toBe('There can be only one operation "B"; another is in b.graphql.');
    expect(result.problems[2]?.message).toBe('Unknown fragment "Missing".');
  });
});

describe('runOpsCheck and authorization', () => {
  const AUTH_SDL = `directive @authenticated on FIELD_DEFINITION | OBJECT
directive @requiresScopes(scopes: [[String!]!]!) on FIELD_DEFINITION | OBJECT
`;
  const withAuth = (sdl: string) => ({ schemaSdl: `${AUTH_SDL}\n${sdl}`, schemaFiles: [{ file: 'schema/base.graphql', source: AUTH_SDL }, { file: 'schema/shop.graphql', source: sdl }] });
  const shop = (orderDirectives: string, productsDirectives = '') =>
    readFileSync(`${FIXTURE}/schema/shop.graphql`, 'utf8')
      .replace('order(id: ID!): Order', `order(id: ID!): Order ${orderDirectives}`)
      .replace('@listSize(slicingArguments: ["first"])\n}', `@listSize(slicingArguments: ["first"]) ${productsDirectives}\n}`);
  const both = { file: 'both.graphql', source: 'query Both {\n  order(id: "1") {\n    id\n  }\n  products {\n    id\n  }\n}\n' };

  it('prints the scopes each operation needs: every guarded field it selects, all at once', () => {
    const orderRule = '@requiresScopes(scopes: [["orders:read"], ["users:pii", "orders:write"]])';
    const result = check({ ...withAuth(shop(orderRule, '@requiresScopes(scopes: [["users:pii"]])')), sources: [both, source('order-total.graphql')] });
    expect(result.problems).toEqual([]);
    expect(result.table.map((r) => [r.operation, r.scopes])).toEqual([
      ['Both', 'orders:read+users:pii | orders:write+users:pii'],
      ['OrderTotal', 'orders:read | orders:write+users:pii'],
    ]);
    expect(result.report.split('\n').slice(0, 3)).toEqual([
      'operation   sources              depth  cost  scopes                                          status',
      'Both        both.graphql         1      21    orders:read+users:pii | orders:write+users:pii  ok',
      'OrderTotal  order-total.graphql  3      9     orders:read | orders:write+users:pii            ok',
    ]);
    const open = check({ ...withAuth(shop('', '@authenticated')), sources: [both] });
    expect(open.table[0]?.scopes).toBe('authenticated');
  });

  it('fails a directive that names an unknown scope, at its place in its schema file', () => {
    const result = check({ ...withAuth(shop('@requiresScopes(scopes: [["orders:raed"]])')), sources: [source('order-total.graphql')] });
    expect(result.exitCode).toBe(1);
    expect(result.problems).toEqual([
      {
        file: 'schema/shop.graphql',
        line: 27,
        column: 25,
        message: '@requiresScopes on Query.order names the unknown scope "orders:raed"; known: orders:read, orders:write, users:pii (src/auth/scopes.ts).',
        code: 'UNKNOWN_SCOPE',
      },
    ]);
  });
});

describe('ops:check on the repository', () => {
  it('passes the repository operations and every retained manifest', () => {
    const result = runOpsCheck({ schemaSdl: readSchemaSdl(), sources: readOperationTexts('persisted-queries'), manifests: readManifestTexts() });
    expect(result.problems).toEqual([]);
    expect(result.exitCode).toBe(0);
    expect(result.table.length).toBeGreaterThan(0);
    expect(result.table.filter((row) => row.status !== 'ok')).toEqual([]);
    const scopes = Object.fromEntries(result.table.map((row) => [row.operation, row.scopes]));
    expect(scopes).toMatchObject({ Catalogue: '-', Me: 'authenticated', MyRecentOrders: 'orders:read', OrderPage: 'orders:read', PlaceOrder: 'orders:write', UserProfile: '-' });
  });

  it('the real CLI exits 1 on the fixtures and prints each problem and the table', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/tooling/check-ops-cli.ts', `--persisted-queries=${PQ}`, `--schema=${FIXTURE}/schema`], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.status).toBe(1);
    const lines = run.stderr.trim().split('\n');
    expect(lines.slice(0, 3)).toEqual([
      `${PQ}/operations/all-reviews.graphql:2:1 Operation "AllReviews" has an estimated cost of 6000, over the limit of 5000. [COST_ESTIMATED_TOO_EXPENSIVE]`,
      `${PQ}/operations/checkout.graphql:4:5 Cannot query field "totl" on type "Order". Did you mean "total"? [GRAPHQL_VALIDATION_FAILED]`,
      `${PQ}/released/web@0.9.0.json#OldOrder:4:5 Cannot query field "legacyCode" on type "Order". [GRAPHQL_VALIDATION_FAILED]`,
    ]);
    expect(lines).toContain('OrderTotal  order-total.graphql, web@1.0.0.json  3      9     -       ok');
    expect(lines.at(-1)).toBe('ops:check failed: 3 problem(s) in 4 operation(s).');
  });
});
