// Which documents may share one cache entry between callers, decided from the schema's
// @cacheControl(scope: PRIVATE) before execution.
import { buildSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import { readAuthRules } from '../../src/auth/requirements';
import { createCacheScope } from '../../src/plugins/response-cache/cache-scope';
import { getSchema } from '../../src/server/schema';

const scope = createCacheScope(getSchema());

describe('createCacheScope', () => {
  it('reads the private types and fields of the schema', () => {
    expect([...scope.privateTypes]).toEqual(['Order']);
    // Mutation.placeOrder is not marked PRIVATE: it is private because @requiresScopes guards it.
    expect([...scope.privateFields].sort()).toEqual(['Mutation.placeOrder', 'Query.me', 'Query.order', 'Query.orders', 'User.email', 'User.orders']);
  });

  it('calls private a field that only some callers may read, whatever its @cacheControl says', () => {
    const guarded = createCacheScope(
      buildSchema(`directive @requiresScopes(scopes: [[String!]!]!) on FIELD_DEFINITION | OBJECT
        directive @authenticated on FIELD_DEFINITION | OBJECT
        type Secret @authenticated { id: ID! }
        type Query { open: Int, scoped: Int @requiresScopes(scopes: [["orders:read"]]), secret: Secret }`),
    );
    expect(guarded.isPrivate('{ open }')).toBe(false);
    expect(guarded.isPrivate('{ scoped }')).toBe(true);
    expect(guarded.isPrivate('{ secret { id } }')).toBe(true);
  });

  it('calls private an interface field’s guarded implementations, and a field an implementation guards, as the enforced rules do', () => {
    const schema = buildSchema(`directive @requiresScopes(scopes: [[String!]!]!) on FIELD_DEFINITION | OBJECT
      directive @authenticated on FIELD_DEFINITION | OBJECT
      directive @cacheControl(maxAge: Int) on FIELD_DEFINITION | OBJECT | INTERFACE
      interface Node { id: ID!, secret: String @requiresScopes(scopes: [["users:pii"]]), note: String }
      type Thing implements Node @cacheControl(maxAge: 60) { id: ID!, secret: String, note: String }
      type Other implements Node @cacheControl(maxAge: 60) { id: ID!, secret: String, note: String @authenticated }
      type Query { thing: Thing, node: Node }`);
    const interfaces = createCacheScope(schema);
    expect(readAuthRules(schema).fields.has('Thing.secret')).toBe(true);
    expect(interfaces.isPrivate('{ thing { id } }')).toBe(false);
    expect(interfaces.isPrivate('{ thing { secret } }')).toBe(true);
    expect(interfaces.isPrivate('{ node { secret } }')).toBe(true);
    expect(interfaces.isPrivate('{ node { ... on Thing { secret } } }')).toBe(true);
    // Asked through the interface, `note` is Other.note (guarded) for some objects.
    expect(interfaces.isPrivate('{ node { note } }')).toBe(true);
    expect(interfaces.isPrivate('{ thing { note } }')).toBe(false);
  });

  it('calls public a document that selects only public data', () => {
    expect(scope.isPrivate('{ product(id: "1") { title reviews { rating author { name } } } }')).toBe(false);
    expect(scope.isPrivate('query Catalogue { products(first: 2) { edges { node { ...Card } } } } fragment Card on Product { id title }')).toBe(false);
  });

  it('calls private a document with a private field, a field of a private type, or a field returning one', () => {
    expect(scope.isPrivate('{ me { name } }')).toBe(true);
    expect(scope.isPrivate('{ user(id: "1") { email } }')).toBe(true);
    expect(scope.isPrivate('{ orders(first: 1) { pageInfo { hasNextPage } } }')).toBe(true);
    expect(scope.isPrivate('{ user(id: "1") { ...O } } fragment O on User { orders { id } }')).toBe(true);
  });

  it('gives a public document the smallest maxAge of the fields it selects and the types they return', () => {
    expect(scope.maxAgeOf('{ product(id: "1") { title } }')).toBe(300);
    expect(scope.maxAgeOf('{ product(id: "1") { title reviews { rating } } }')).toBe(300);
    expect(scope.maxAgeOf('{ product(id: "1") { title reviews { rating author { name } } } }')).toBe(60);
    expect(scope.maxAgeOf('{ ping }')).toBeUndefined();
    // A field without maxAge does not lower it: the response cache keeps such an entry for the smallest declared one too.
    expect(scope.maxAgeOf('{ product(id: "1") { title } ping }')).toBe(300);
  });

  it('gives no maxAge to a private or unreadable document (never publicly cacheable)', () => {
    expect(scope.maxAgeOf('{ me { name } }')).toBeUndefined();
    expect(scope.maxAgeOf('{ product(id: "1") {')).toBeUndefined();
    expect(scope.maxAgeOf(undefined)).toBeUndefined();
  });

  it('calls private what it cannot read (no document, or one that does not parse)', () => {
    expect(scope.isPrivate(undefined)).toBe(true);
    expect(scope.isPrivate('{ product(id: "1") {')).toBe(true);
  });
});
