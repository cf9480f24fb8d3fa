// CDN cache tags of an answer: which entities become tags, and the header's bound.
import { describe, expect, it } from 'vitest';
import { answerTagsOf, createOperationNotes, MAX_TAG_HEADER_LENGTH, OPERATION_ENTITY, tagOf } from '../../src/plugins/provider-events/cache-tags';
import { createEventMetrics } from '../../src/plugins/provider-events/event-metrics';
import { createInvalidator } from '../../src/plugins/provider-events/invalidator';
import { createGatewayCache } from '../../src/plugins/response-cache/response-cache-store';

describe('CDN cache tags', () => {
  it('names each entity, its type and the operation; never our private pseudo-entities', () => {
    const tags = answerTagsOf([
      { typename: 'Product', id: 'prod-1' },
      { typename: 'Product', id: 'prod-2' },
      { typename: 'Review', id: 7 },
      { typename: OPERATION_ENTITY, id: 'ProductDetail' },
      { typename: '__Caller', id: 'abc' },
    ]);
    expect(tags).toEqual(['Product', 'Product:prod-1', 'Product:prod-2', 'Review', 'Review:7', 'op:ProductDetail']);
  });

  it('leaves out ids a header cannot carry plainly', () => {
    expect(tagOf('Product', 'has space')).toBeUndefined();
    expect(tagOf('Product', 'a,b')).toBeUndefined();
    // 128 characters at most, `Product:` included.
    expect(tagOf('Product', 'x'.repeat(120))).toBe(`Product:${'x'.repeat(120)}`);
    expect(tagOf('Product', 'x'.repeat(121))).toBeUndefined();
    // An id left out is stood in for by the type's overflow tag, which every purge of a Product names.
    expect(answerTagsOf([{ typename: 'Product', id: 'a b' }])).toEqual(['Product', 'Product:*']);
  });

  it('an invalidation of one entity names its tag and its type’s overflow tag; of a type or an operation, just that tag', async () => {
    const cache = createGatewayCache();
    const purged: (readonly string[])[] = [];
    const invalidator = createInvalidator({ cache, metrics: createEventMetrics(undefined), logger: undefined, purge: (tags) => (purged.push(tags), Promise.resolve(202)) });
    const one = await invalidator.invalidate({ entities: [{ typename: 'Product', id: 'prod-1' }, { typename: 'Product', id: 'prod-2' }, { typename: 'Product', id: 'a b' }] }, 'webhook', 'req-1');
    expect(one.tags).toEqual(['Product:prod-1', 'Product:*', 'Product:prod-2']);
    const byType = await invalidator.invalidate({ entities: [{ typename: 'Product' }], operations: ['ProductDetail'] }, 'admin', 'req-2');
    expect(byType.tags).toEqual(['Product', 'op:ProductDetail']);
    await invalidator.settled();
    expect(purged).toEqual([one.tags, byType.tags]);
    // Every tag of an answer whose entity tags were dropped is reached by one of these purges.
    const overflowing = answerTagsOf([...Array.from({ length: 1_000 }, (_, i) => ({ typename: 'Product', id: `prod-${i}` })), { typename: OPERATION_ENTITY, id: 'Catalogue' }]);
    expect(overflowing).toEqual(['Product', 'Product:*', 'op:Catalogue']);
    expect(one.tags.filter((tag) => overflowing.includes(tag))).toEqual(['Product:*']);
  });

  it('notes the operation of PUBLIC and PRIVATE cache keys, by the name the request picked from its document', () => {
    const notes = createOperationNotes();
    const document = 'query A { a } query B { b }';
    notes.note('p:one', document, 'B');
    notes.note('u:two', document, 'A');
    notes.note('x:three', document, 'A');
    // The operation name and the document are told apart even when one could run into the other.
    notes.note('p:four', 'B { b }', 'query A { a } query');
    notes.note('p:five', 'query C { c }', undefined);
    expect(['p:one', 'u:two', 'x:three', 'p:four', 'p:five'].map((key) => notes.operationOf(key))).toEqual(['B', 'A', undefined, undefined, 'C']);
  });

  it('keeps every tag at the bound and falls back to type and operation tags past it', () => {
    const fits: { typename: string; id: string }[] = [];
    // "Product" + " Product:p-00000" × n: fill to exactly the bound.
    let length = 'Product'.length;
    for (let i = 0; length + ' Product:p-00000'.length <= MAX_TAG_HEADER_LENGTH; i++) {
      fits.push({ typename: 'Product', id: `p-${String(i).padStart(5, '0')}` });
      length += ' Product:p-00000'.length;
    }
    const padding = MAX_TAG_HEADER_LENGTH - length;
    const exact = [...fits, ...(padding > 9 ? [{ typename: 'Product', id: 'x'.repeat(padding - ' Product:'.length) }] : [])];
    const atBound = answerTagsOf(exact);
    expect(atBound.join(' ').length).toBeLessThanOrEqual(MAX_TAG_HEADER_LENGTH);
    expect(atBound).toHaveLength(exact.length + 1);
    const past = answerTagsOf([...fits, { typename: 'Product', id: 'one-more-id-past-the-bound' }, { typename: OPERATION_ENTITY, id: 'Catalogue' }]);
    // Past it: the type, its overflow tag (which every purge of one Product names) and the operation.
    expect(past).toEqual(['Product', 'Product:*', 'op:Catalogue']);
  });
});
