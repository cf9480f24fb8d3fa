// The edge plugins on a small yoga: a persisted operation's shape and cost are computed once per
// document (and cost once per variant of the variables it depends on), and costOf(request) is
// readable by the plugins that run at execution (the rate limiter).
import { makeExecutableSchema } from '@graphql-tools/schema';
import { createYoga, type Plugin } from 'graphql-yoga';
import { describe, expect, it } from 'vitest';
import { toGraphQLError } from '../../src/errors/to-graphql-error';
import { DEFAULT_OPERATION_LIMITS } from '../../src/operations/limits';
import { buildManifest, extractOperations } from '../../src/operations/extract-operations';
import { createPersistedStore } from '../../src/operations/persisted-store';
import { costOf, useCost } from '../../src/plugins/cost';
import { useOperationLimits } from '../../src/plugins/operation-limits';
import { usePersistedOperations } from '../../src/plugins/persisted-operations/persisted-operations';

const schema = makeExecutableSchema({
  typeDefs: `
    directive @listSize(assumedSize: Int, slicingArguments: [String!], sizedFields: [String!], requireOneSlicingArgument: Boolean = true) on FIELD_DEFINITION
    type Query { items(first: Int = 2, tag: String): [Item!]! @listSize(slicingArguments: ["first"]) }
    type Item { id: ID! }`,
  resolvers: { Query: { items: (_: unknown, args: { first: number }) => Array.from({ length: args.first }, (_x, i) => ({ id: `i${i}` })) } },
});

const operations = extractOperations([{ file: 'items.graphql', source: 'query Items($first: Int, $tag: String) { items(first: $first, tag: $tag) { id } }' }]);
const itemsId = operations[0]?.id ?? '';

function setup() {
  const analyzed: unknown[] = [];
  const estimated: (number | null)[] = [];
  const seenAtExecute: (number | undefined)[] = [];
  const probe: Plugin = {
    onExecute({ args }) {
      const request = (args.contextValue as { request: Request }).request;
      seenAtExecute.push(costOf(request));
    },
  };
  const yoga = createYoga({
    schema,
    logging: false,
    maskedErrors: { maskError: (e) => toGraphQLError(e, { isDev: true }) },
    plugins: [
      usePersistedOperations({ mode: 'enforce', store: createPersistedStore([{ source: 'test', manifest: buildManifest(operations) }]) }),
      useOperationLimits({ limits: DEFAULT_OPERATION_LIMITS, onAnalyze: (doc) => analyzed.push(doc) }),
      useCost({ maxCost: 100, onEstimate: (_doc, cost) => estimated.push(cost) }),
      probe,
    ],
  });
  const run = async (variables: Record<string, unknown>) => {
    const res = await yoga.fetch('http://yoga/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
      body: JSON.stringify({ documentId: itemsId, variables }),
    });
    return { status: res.status, cost: res.headers.get('x-operation-cost'), body: (await res.json()) as { data?: { items: unknown[] }; errors?: { extensions: Record<string, unknown> }[] } };
  };
  return { run, analyzed, estimated, seenAtExecute };
}

describe('per-document caching', () => {
  it('analyses a persisted document once, and estimates its cost once per value of the variables it depends on', async () => {
    const { run, analyzed, estimated } = setup();
    for (const tag of ['a', 'b', 'c']) expect((await run({ first: 3, tag })).body.data?.items).toHaveLength(3);
    expect(analyzed).toHaveLength(1);
    expect(estimated).toEqual([3]); // `tag` does not change the cost: one estimate for three requests
    await run({ first: 5 });
    await run({ first: 3 });
    expect(analyzed).toHaveLength(1);
    expect(estimated).toEqual([3, 5]);
  });

  it('refuses over maxCost from the cached estimate as well', async () => {
    const { run, estimated } = setup();
    for (let i = 0; i < 2; i++) {
      const res = await run({ first: 101 });
      expect(res.status).toBe(400);
      expect(res.body.errors?.[0]?.extensions['code']).toBe('COST_ESTIMATED_TOO_EXPENSIVE');
      expect(res.body.errors?.[0]?.extensions['cost']).toEqual({ estimated: 101, max: 100 });
      expect(res.cost).toBe('101');
    }
    expect(estimated).toEqual([101]);
  });
});

describe('costOf', () => {
  it('holds the estimate of the request from execution on, and is sent in x-operation-cost', async () => {
    const { run, seenAtExecute } = setup();
    const res = await run({ first: 7 });
    expect(res.cost).toBe('7');
    expect(seenAtExecute).toEqual([7]);
    expect(costOf(new Request('http://yoga/graphql'))).toBeUndefined();
  });
});
