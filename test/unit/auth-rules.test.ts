// The schema's authorization directives: how they are read (federation semantics: OR of ANDs, a type's
// rule on every field returning it, an interface field's rule on its implementations), why a schema
// fails to load, and the enforcement at a guarded resolver's entry (the resolver is never called).
import { buildSchema, execute, isObjectType, parse, type GraphQLSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import { enforceAuthRules } from '../../src/auth/enforce-rules';
import { authRulesOrThrow, deniedBy, formatRequirement, readAuthRules } from '../../src/auth/requirements';
import { getSchema } from '../../src/server/schema';

const DIRECTIVES = `directive @authenticated on FIELD_DEFINITION | OBJECT
directive @requiresScopes(scopes: [[String!]!]!) on FIELD_DEFINITION | OBJECT
`;
const schemaOf = (sdl: string): GraphQLSchema => buildSchema(`${DIRECTIVES}${sdl}`);
const rulesOf = (schema: GraphQLSchema) => Object.fromEntries([...readAuthRules(schema).fields].map(([coordinate, r]) => [coordinate, formatRequirement(r)]));

describe('readAuthRules', () => {
  it('reads the repository schema: who may read orders, place them, and ask for `me`', () => {
    expect(rulesOf(getSchema())).toEqual({
      'Query.me': 'authenticated',
      'Query.order': 'orders:read',
      'Query.orders': 'orders:read',
      'User.orders': 'orders:read',
      'Mutation.placeOrder': 'orders:write',
    });
  });

  it('guards every field returning a guarded type, a union of one, and an interface field’s implementations', () => {
    const schema = schemaOf(`
      type Secret @requiresScopes(scopes: [["users:pii"]]) { id: ID! }
      type Open { id: ID! }
      union Either = Secret | Open
      interface Node { id: ID! @authenticated }
      type Thing implements Node { id: ID! }
      type Query { secret: Secret either: Either @requiresScopes(scopes: [["orders:read"], ["orders:write"]]) open: Open thing: Thing }`);
    expect(rulesOf(schema)).toEqual({
      'Query.secret': 'users:pii',
      'Query.either': 'orders:read+users:pii | orders:write+users:pii',
      'Node.id': 'authenticated',
      'Thing.id': 'authenticated',
    });
  });

  it('lets in a caller holding every scope of one list, and tells an anonymous caller apart from a lacking one', () => {
    const requirement = { anyOf: [['orders:read', 'users:pii'], ['orders:write']] };
    const caller = (...scopes: string[]) => ({ id: 'user-1', scopes });
    expect(deniedBy(requirement, null)).toBe('UNAUTHENTICATED');
    expect(deniedBy(requirement, caller('orders:read'))).toBe('FORBIDDEN');
    expect(deniedBy(requirement, caller('users:pii', 'orders:read'))).toBeUndefined();
    expect(deniedBy(requirement, caller('orders:write'))).toBeUndefined();
    expect(deniedBy({ anyOf: [[]] }, caller())).toBeUndefined();
  });

  it('refuses a schema that names an unknown scope or an empty list, naming each', () => {
    const schema = schemaOf('type Query { a: Int @requiresScopes(scopes: [["orders:raed"]]) b: Int @requiresScopes(scopes: [[]]) }');
    expect(readAuthRules(schema).problems.map((p) => [p.code, p.coordinate])).toEqual([
      ['UNKNOWN_SCOPE', 'Query.a'],
      ['EMPTY_SCOPE_LIST', 'Query.b'],
    ]);
    expect(() => authRulesOrThrow(schema)).toThrow(/Query\.a names the unknown scope "orders:raed"/);
  });
});

describe('enforceAuthRules', () => {
  it('never calls a denied resolver; its null propagates through a non-null field as graphql-js says', async () => {
    const schema = schemaOf('type Box { inner: Int! @requiresScopes(scopes: [["orders:read"]]) name: String } type Query { box: Box ping: Int }');
    let calls = 0;
    const fields = schema.getQueryType()?.getFields();
    const box = schema.getType('Box');
    if (!fields || !isObjectType(box)) throw new Error('fixture');
    fields['box']!.resolve = () => ({ name: 'b' });
    fields['ping']!.resolve = () => 1;
    box.getFields()['inner']!.resolve = () => ++calls;
    enforceAuthRules(schema, authRulesOrThrow(schema));
    const run = async (caller: { id: string; scopes: string[] } | null) =>
      JSON.parse(JSON.stringify(await execute({ schema, document: parse('{ box { name inner } ping }'), contextValue: { caller } })));
    const denied = await run({ id: 'user-1', scopes: ['orders:write'] });
    expect(denied.data).toEqual({ box: null, ping: 1 });
    expect(denied.errors).toEqual([expect.objectContaining({ message: 'The token lacks the scopes this field needs (orders:read).', path: ['box', 'inner'] })]);
    expect((await run(null)).errors[0].message).toBe('This field needs a bearer token.');
    expect(calls).toBe(0);
    expect((await run({ id: 'user-1', scopes: ['orders:read'] })).data).toEqual({ box: { name: 'b', inner: 1 }, ping: 1 });
    expect(calls).toBe(1);
  });
});
