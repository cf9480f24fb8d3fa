// Which documents may share one cache entry between callers, decided from the schema's
// @cacheControl(scope: PRIVATE) before execution.
import { describe, expect, it } from 'vitest';
import { createCacheScope } from '../../src/plugins/cache-scope';
import { getSchema } from '../../src/server/schema';

const scope = createCacheScope(getSchema());

describe('createCacheScope', () => {
  it('reads the private types and fields of the schema', () => {
    expect([...scope.privateTypes]).toEqual(['Order']);
    expect([...scope.privateFields].sort()).toEqual(['Query.me', 'Query.order', 'Query.orders', 'User.email', 'User.orders']);
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

  it('calls private what it cannot read (no document, or one that does not parse)', () => {
    expect(scope.isPrivate(undefined)).toBe(true);
    expect(scope.isPrivate('{ product(id: "1") {')).toBe(true);
  });
});
