// Static cost per the IBM cost directives, on a small schema (each rule) and on the persisted operations.
import { buildSchema, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { typeDefs } from '../../src/generated/type-defs';
import { checkOperationText } from '../../src/operations/check-operation';
import { CostEstimateAbandoned, costVariableNames, estimateCost } from '../../src/operations/cost';
import { DEFAULT_OPERATION_LIMITS } from '../../src/operations/limits';
import manifest from '../../persisted-queries/manifest.json';

const schema = buildSchema(`
  directive @cost(weight: String!) on ARGUMENT_DEFINITION | ENUM | FIELD_DEFINITION | INPUT_FIELD_DEFINITION | OBJECT | SCALAR
  directive @listSize(assumedSize: Int, slicingArguments: [String!], sizedFields: [String!], requireOneSlicingArgument: Boolean = true) on FIELD_DEFINITION
  type Query {
    ping: Boolean
    expensive: Int @cost(weight: "2.5")
    heavy: Heavy
    items(first: Int = 5, last: Int): [Item!]! @listSize(slicingArguments: ["first", "last"])
    assumed: [Item!]! @listSize(assumedSize: 3)
    plain: [Item!]!
    search(term: String @cost(weight: "4")): [Item!]! @listSize(assumedSize: 1)
    conn(first: Int): Conn! @listSize(slicingArguments: ["first"], sizedFields: ["edges"])
  }
  type Heavy @cost(weight: "7") { id: ID }
  type Item { id: ID! name: String tags: [String!]! }
  type Conn { edges: [Item!]! info: Info! }
  type Info { end: String }
  type Mutation { doIt: Item cheap: Item @cost(weight: "1") }
`);
const cost = (doc: string, variables?: Record<string, unknown>) => estimateCost(schema, parse(doc), { variables });

describe('IBM cost rules', () => {
  it('weighs scalars 0, objects 1, @cost on a field or type (String weight parsed as a number)', () => {
    expect(cost('{ ping }')).toBe(0);
    expect(cost('{ expensive }')).toBe(2.5);
    expect(cost('{ heavy { id } }')).toBe(7);
  });

  it('multiplies a list by its largest slicing argument, defaults and variables included', () => {
    expect(cost('{ items { id } }')).toBe(5); // first = 5 by default
    expect(cost('{ items(first: 2, last: 8) { id } }')).toBe(8);
    expect(cost('query Q($n: Int) { items(first: $n) { id } }', { n: 30 })).toBe(30);
    expect(cost('query Q($n: Int = 12) { items(first: $n) { id } }')).toBe(12);
  });

  it('uses assumedSize, else 10 for a list without @listSize; a list of scalars costs 0', () => {
    expect(cost('{ assumed { id } }')).toBe(3);
    expect(cost('{ plain { id tags } }')).toBe(10);
  });

  it('adds an argument weight when the argument is given', () => {
    expect(cost('{ search(term: "x") { id } }')).toBe(5);
    expect(cost('{ search { id } }')).toBe(1);
  });

  it('applies a connection slicing argument to its sized fields only (edges, not info)', () => {
    expect(cost('{ conn(first: 4) { edges { id } info { end } } }')).toBe(1 + 4 + 1);
    expect(cost('{ conn(first: 4) { ...E info { end } } } fragment E on Conn { ... { edges { id } } }')).toBe(6);
  });

  it('weighs a mutation root field 10 unless it has @cost', () => {
    expect(cost('mutation { doIt { id } }')).toBe(10);
    expect(cost('mutation { cheap { id } }')).toBe(1);
  });

  it('skips what @skip/@include leave out', () => {
    expect(cost('query Q($s: Boolean!) { plain @skip(if: $s) { id } heavy { id } }', { s: true })).toBe(7);
    expect(cost('query Q($s: Boolean!) { plain @skip(if: $s) { id } heavy { id } }', { s: false })).toBe(17);
  });

  it('names the variables an estimate depends on (the cost cache key)', () => {
    const doc = parse('query Q($n: Int, $s: Boolean!, $t: String, $u: Int) { items(first: $n) @skip(if: $s) { id } search(term: $t) { id } heavy { id } conn(first: $u) { info { end } } }');
    expect(costVariableNames(schema, doc)).toEqual(['n', 's', 't', 'u']);
    expect(costVariableNames(schema, parse('query Q($id: ID) { heavy { id } }'))).toEqual([]);
  });

  it('gives up past maxNodes instead of walking an exponential fragment expansion', () => {
    const fragments = Array.from({ length: 30 }, (_, i) => `fragment F${i} on Query { ${i === 29 ? 'ping' : `...F${i + 1} ... { ...F${i + 1} }`} }`);
    const started = performance.now();
    expect(() => estimateCost(schema, parse(`{ ...F0 }\n${fragments.join('\n')}`))).toThrow(CostEstimateAbandoned);
    expect(performance.now() - started).toBeLessThan(500);
  });
});

describe('the persisted operations', () => {
  const appSchema = buildSchema(typeDefs);
  const costOf = (name: string, variables?: Record<string, unknown>) => {
    const op = manifest.operations.find((o) => o.name === name);
    return estimateCost(appSchema, parse(op?.body ?? ''), { variables });
  };

  // These operations' costs, worked out by hand; an operation added later is held to the limits below.
  it('cost what the schema directives say', () => {
    const costs = Object.fromEntries(manifest.operations.map((o) => [o.name, costOf(o.name)]));
    expect(costs).toMatchObject({
      Catalogue: 42, // 1 connection + 20 × (edge + product) + pageInfo
      Me: 1,
      MyRecentOrders: 6, // me + 5 orders
      OrderDetail: 10, // order + customer + 4 × (line + product)
      OrderPage: 1022, // 1 + 20 × (edge + order + customer + 4 × (line + product + 5 × (review + author))) + pageInfo
      PlaceOrder: 18, // mutation 10 + 4 × (line + product)
      ProductDetail: 11, // product + 5 × (review + author)
      UserProfile: 1,
    });
    expect(costOf('Catalogue', { first: 100 })).toBe(202);
  });

  it('all fit the default limits', () => {
    for (const op of manifest.operations) {
      expect(checkOperationText(appSchema, op.body, DEFAULT_OPERATION_LIMITS).violations, op.name).toEqual([]);
    }
  });
});

describe('checkOperationText', () => {
  it('judges size, then tokens, then shape and cost, like the server', () => {
    const limits = { ...DEFAULT_OPERATION_LIMITS, maxDocumentBytes: 100, maxTokens: 20, maxCost: 9 };
    expect(checkOperationText(schema, `{ ping } #${'x'.repeat(100)}`, limits).violations.map((v) => v.code)).toEqual(['BAD_REQUEST']);
    expect(checkOperationText(schema, `{ ${'a '.repeat(20)}}`, limits).violations.map((v) => v.code)).toEqual(['MAX_TOKENS_LIMIT']);
    const over = checkOperationText(schema, '{ plain { id } }', limits);
    expect(over.cost).toBe(10);
    expect(over.violations).toEqual([{ limit: 'cost', code: 'COST_ESTIMATED_TOO_EXPENSIVE', actual: 10, max: 9 }]);
  });
});
