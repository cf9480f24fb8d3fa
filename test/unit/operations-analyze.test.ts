// The document shape the limits judge: counted through fragments, linear, safe on cycles.
import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { analyzeDocument } from '../../src/operations/analyze';
import { DEFAULT_OPERATION_LIMITS, documentTooLarge, isTokenLimitError, parseWithTokenLimit, shapeViolations } from '../../src/operations/limits';
import manifest from '../../persisted-queries/manifest.json';

const shape = (doc: string) => analyzeDocument(parse(doc));

describe('depth', () => {
  it('counts nested selection sets, a leaf being 0 (graphql-depth-limit semantics)', () => {
    expect(shape('{ ping }').depth).toBe(0);
    expect(shape('{ me { name } }').depth).toBe(1);
    const orderPage = manifest.operations.find((o) => o.name === 'OrderPage');
    expect(analyzeDocument(parse(orderPage?.body ?? '')).depth).toBe(7);
  });

  it('sees depth hidden in fragments and inline fragments exactly as if it were written inline', () => {
    const inline = '{ me { orders { lines { product { reviews { author { name } } } } } } }';
    const hidden = `
      query { ...A }
      fragment A on Query { me { ...B } }
      fragment B on User { orders { ... on Order { lines { ...C } } } }
      fragment C on OrderLine { product { ... { reviews { ...D } } } }
      fragment D on Review { author { name } }`;
    expect(shape(inline).depth).toBe(6);
    expect(shape(hidden).depth).toBe(6);
  });

  it('ignores introspection fields, as GraphiQL needs (introspection itself is off in production)', () => {
    expect(shape('{ __schema { types { fields { type { ofType { ofType { name } } } } } } }').depth).toBe(0);
  });
});

describe('aliases, root fields, directives', () => {
  it('counts aliases through every spread of a fragment', () => {
    const doc = '{ me { ...F } a: me { ...F } b: me { ...F } } fragment F on User { x: id y: name }';
    expect(shape(doc).aliases).toBe(2 + 3 * 2);
  });

  it('counts root fields through root-level fragments', () => {
    expect(shape('{ ping ...R ... { me { id } } } fragment R on Query { a: ping b: ping }').rootFields).toBe(4);
  });

  it('counts directives on the operation, its variables, fields and fragments', () => {
    const doc = 'query Q($a: Boolean! @deprecated) @x { ping @skip(if: $a) @include(if: true) ...F @y } fragment F on Query @z { me { id @w } }';
    expect(shape(doc).directives).toBe(7);
  });

  it('takes the largest value over the operations of a document', () => {
    const s = shape('query A { a: ping } query B { me { name } ping }');
    expect(s).toEqual({ depth: 1, aliases: 1, rootFields: 2, directives: 0 });
  });
});

describe('hostile documents', () => {
  it('terminates on fragment cycles (validation reports them) and on unknown fragments', () => {
    expect(shape('{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }')).toEqual({ depth: 0, aliases: 0, rootFields: 0, directives: 0 });
    expect(shape('{ me { ...A } } fragment A on User { a: friend { ...A } }').aliases).toBe(1);
    expect(shape('{ ...Missing }').rootFields).toBe(0);
  });

  it('measures a fragment once: 45 fragments spreading the next twice (2^44 expansions) in milliseconds', () => {
    const fragments = Array.from({ length: 45 }, (_, i) => `fragment F${i} on Query { ${i === 44 ? 'x: ping' : `...F${i + 1} ...F${i + 1}`} }`);
    const doc = parse(`{ ...F0 }\n${fragments.join('\n')}`);
    const started = performance.now();
    const s = analyzeDocument(doc);
    expect(performance.now() - started).toBeLessThan(50);
    expect(s.aliases).toBe(1e12); // saturated: over any limit
    expect(shapeViolations(s, DEFAULT_OPERATION_LIMITS).map((v) => v.code)).toEqual(['MAX_ALIASES_LIMIT', 'MAX_ROOT_FIELDS_LIMIT']);
  });
});

describe('limit checks', () => {
  it('reports each exceeded shape limit with its code, measured value and maximum', () => {
    const limits = { ...DEFAULT_OPERATION_LIMITS, maxDepth: 1, maxAliases: 0, maxRootFields: 1, maxDirectives: 0 };
    expect(shapeViolations(shape('{ a: me { orders { id } } ping @skip(if: false) }'), limits)).toEqual([
      { limit: 'depth', code: 'MAX_DEPTH_LIMIT', actual: 2, max: 1 },
      { limit: 'aliases', code: 'MAX_ALIASES_LIMIT', actual: 1, max: 0 },
      { limit: 'rootFields', code: 'MAX_ROOT_FIELDS_LIMIT', actual: 2, max: 1 },
      { limit: 'directives', code: 'MAX_DIRECTIVES_LIMIT', actual: 1, max: 0 },
    ]);
  });

  it('measures the document in UTF-8 bytes', () => {
    expect(documentTooLarge('é'.repeat(10), 19)).toBe(true);
    expect(documentTooLarge('é'.repeat(10), 20)).toBe(false);
    expect(documentTooLarge('a'.repeat(21), 20)).toBe(true);
  });

  it('stops the parser at the token limit', () => {
    expect(parseWithTokenLimit('{ a b c }', 5).kind).toBe('Document');
    let error: unknown;
    try {
      parseWithTokenLimit('{ a b c d e }', 5);
    } catch (e) {
      error = e;
    }
    expect(isTokenLimitError(error)).toBe(true);
  });
});
