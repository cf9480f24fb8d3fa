// schema:check on a fixture baseline and fixture released manifests: each kind of change classified,
// and a breaking change fails only when a retained operation uses it.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseManifestText } from '../../src/operations/manifest';
import { runSchemaCheck, type RetainedOperation } from '../../src/tooling/schema-check';

const DIR = 'test/fixtures/schema-check';
const baselineSdl = readFileSync(`${DIR}/baseline.graphql`, 'utf8');
const WEB = `${DIR}/released/web@1.0.0.json`;
const IOS = `${DIR}/released/ios@2.0.0.json`;

function retained(...paths: string[]): RetainedOperation[] {
  return paths.flatMap((source) => parseManifestText(readFileSync(source, 'utf8'), source).operations.map(({ name, body }) => ({ name, body, source })));
}
const ALL = retained(WEB, IOS);
const ORDER_SUMMARY = `OrderSummary (${WEB})`;
const SHIPPED_ORDERS = `ShippedOrders (${WEB})`;
const PRODUCT_TITLE = `ProductTitle (${IOS})`;

/** The baseline with one textual edit: each test is one schema change. */
function edited(from: string, to: string): string {
  expect(baselineSdl).toContain(from);
  return baselineSdl.replace(from, to);
}

describe('runSchemaCheck', () => {
  it('passes with no change', async () => {
    const result = await runSchemaCheck({ baselineSdl, currentSdl: baselineSdl, operations: ALL });
    expect(result).toMatchObject({ changes: [], problems: [], warnings: [], invalid: [], exitCode: 0 });
  });

  it('fails a removed field that a retained operation uses, naming the operation', async () => {
    const result = await runSchemaCheck({ baselineSdl, currentSdl: edited('  totalCents: Int!\n', ''), operations: ALL });
    expect(result.changes).toEqual([
      {
        level: 'breaking',
        type: 'FIELD_REMOVED',
        message: "Field 'totalCents' was removed from object type 'Order'",
        path: 'Order.totalCents',
        operations: [ORDER_SUMMARY],
        verdict: 'fail',
      },
    ]);
    expect(result.problems).toEqual([`breaking change "Field 'totalCents' was removed from object type 'Order'" breaks ${ORDER_SUMMARY}`]);
    expect(result.invalid).toEqual([{ operation: ORDER_SUMMARY, errors: ['Cannot query field "totalCents" on type "Order".'] }]);
    expect(result.exitCode).toBe(1);
    expect(result.report).toContain(`FAIL breaking  Field 'totalCents' was removed from object type 'Order' — used by ${ORDER_SUMMARY}`);
  });

  it('passes the same removal with a warning when no retained operation uses the field', async () => {
    const result = await runSchemaCheck({ baselineSdl, currentSdl: edited('  totalCents: Int!\n', ''), operations: retained(IOS) });
    expect(result.changes.map((c) => [c.level, c.type, c.operations, c.verdict])).toEqual([['breaking', 'FIELD_REMOVED', [], 'warn']]);
    expect(result.problems).toEqual([]);
    expect(result.warnings).toEqual([`breaking change "Field 'totalCents' was removed from object type 'Order'": no retained operation uses it`]);
    expect(result.exitCode).toBe(0);
  });

  it('fails a used output field that became nullable, though the operation still validates', async () => {
    const result = await runSchemaCheck({ baselineSdl, currentSdl: edited('totalCents: Int!', 'totalCents: Int'), operations: ALL });
    expect(result.changes.map((c) => [c.level, c.type, c.path, c.operations, c.verdict])).toEqual([
      ['breaking', 'FIELD_TYPE_CHANGED', 'Order.totalCents', [ORDER_SUMMARY], 'fail'],
    ]);
    expect(result.invalid).toEqual([]);
    expect(result.exitCode).toBe(1);
  });

  it('lets an accepted breaking change through with its reason as a warning, and warns about an acceptance that matches nothing', async () => {
    const accepted = [
      { type: 'FIELD_TYPE_CHANGED', path: 'Order.totalCents', reason: 'only null for orders the caller may not see' },
      { type: 'FIELD_REMOVED', path: 'Order.gone', reason: 'left over' },
    ];
    const result = await runSchemaCheck({ baselineSdl, currentSdl: edited('totalCents: Int!', 'totalCents: Int'), operations: ALL, accepted });
    expect(result.changes.map((c) => [c.type, c.path, c.verdict, c.acceptedBecause])).toEqual([['FIELD_TYPE_CHANGED', 'Order.totalCents', 'warn', 'only null for orders the caller may not see']]);
    expect(result.problems).toEqual([]);
    expect(result.warnings).toEqual([
      `accepted breaking change "Field 'Order.totalCents' changed type from 'Int!' to 'Int'" touches ${ORDER_SUMMARY}: only null for orders the caller may not see`,
      'accepted change FIELD_REMOVED at Order.gone matches no change since the released schema; remove it',
    ]);
    expect(result.exitCode).toBe(0);
    // An acceptance names one change: removing the field still fails.
    const removed = await runSchemaCheck({ baselineSdl, currentSdl: edited('  totalCents: Int!\n', ''), operations: ALL, accepted });
    expect(removed.exitCode).toBe(1);
  });

  it('classifies an output field that became non-null as safe', async () => {
    const result = await runSchemaCheck({ baselineSdl, currentSdl: edited('note: String', 'note: String!'), operations: ALL });
    expect(result.changes.map((c) => [c.level, c.type, c.verdict])).toEqual([['safe', 'FIELD_TYPE_CHANGED', 'pass']]);
    expect(result.exitCode).toBe(0);
  });

  it('fails an enum value removal for the operations that send or read the enum', async () => {
    const result = await runSchemaCheck({ baselineSdl, currentSdl: edited('  SHIPPED\n', ''), operations: ALL });
    expect(result.changes.map((c) => [c.level, c.type, c.path, c.operations, c.verdict])).toEqual([
      ['breaking', 'ENUM_VALUE_REMOVED', 'OrderStatus.SHIPPED', [ORDER_SUMMARY, SHIPPED_ORDERS], 'fail'],
    ]);
    expect(result.invalid).toEqual([{ operation: SHIPPED_ORDERS, errors: ['Value "SHIPPED" does not exist in "OrderStatus" enum.'] }]);
    expect(result.exitCode).toBe(1);
  });

  it('warns about an enum value added to an enum that operations read (dangerous), and passes', async () => {
    const result = await runSchemaCheck({ baselineSdl, currentSdl: edited('  DELIVERED\n', '  DELIVERED\n  RETURNED\n'), operations: ALL });
    expect(result.changes.map((c) => [c.level, c.type, c.operations, c.verdict])).toEqual([['dangerous', 'ENUM_VALUE_ADDED', [ORDER_SUMMARY, SHIPPED_ORDERS], 'warn']]);
    expect(result.warnings).toEqual([`dangerous change "Enum value 'RETURNED' was added to enum 'OrderStatus'" touches ${ORDER_SUMMARY}; ${SHIPPED_ORDERS}`]);
    expect(result.exitCode).toBe(0);
  });

  it('fails a required argument added to a field a retained operation selects', async () => {
    const result = await runSchemaCheck({ baselineSdl, currentSdl: edited('product(id: ID!)', 'product(id: ID!, locale: String!)'), operations: ALL });
    expect(result.changes.map((c) => [c.level, c.type, c.path, c.operations, c.verdict])).toEqual([
      ['breaking', 'FIELD_ARGUMENT_ADDED', 'Query.product.locale', [PRODUCT_TITLE], 'fail'],
    ]);
    expect(result.invalid).toEqual([{ operation: PRODUCT_TITLE, errors: ['Field "product" argument "locale" of type "String!" is required, but it was not provided.'] }]);
    expect(result.exitCode).toBe(1);
  });

  it('warns about an optional argument added to a used field (dangerous: it may change what the field returns), and passes', async () => {
    const result = await runSchemaCheck({ baselineSdl, currentSdl: edited('product(id: ID!)', 'product(id: ID!, locale: String)'), operations: ALL });
    expect(result.changes.map((c) => [c.level, c.type, c.operations, c.verdict])).toEqual([['dangerous', 'FIELD_ARGUMENT_ADDED', [PRODUCT_TITLE], 'warn']]);
    expect(result.invalid).toEqual([]);
    expect(result.exitCode).toBe(0);
  });

  it('fails a retained operation that does not validate even when no change names it', async () => {
    const operations = [{ name: 'Broken', body: 'query Broken { order(id: "1") { zzz } }', source: 'released/old@0.1.0.json' }];
    const result = await runSchemaCheck({ baselineSdl, currentSdl: baselineSdl, operations });
    expect(result.problems).toEqual(['Broken (released/old@0.1.0.json) no longer validates: Cannot query field "zzz" on type "Order".']);
    expect(result.exitCode).toBe(1);
  });

  it('names an operation retained by several manifests once, with all its sources', async () => {
    const operations = [...retained(WEB), ...retained(WEB).map((op) => ({ ...op, source: 'persisted-queries/manifest.json' }))];
    const result = await runSchemaCheck({ baselineSdl, currentSdl: edited('  totalCents: Int!\n', ''), operations });
    expect(result.changes[0]?.operations).toEqual([`OrderSummary (${WEB}, persisted-queries/manifest.json)`]);
  });
});
