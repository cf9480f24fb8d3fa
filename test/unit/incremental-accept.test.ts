// Which Accept headers get our incremental format (deferSpec=20220824) and which a 406.
import { describe, expect, it } from 'vitest';
import { acceptsServedIncrementalFormat } from '../../src/plugins/incremental/incremental-accept';
import { usesIncrementalDelivery } from '../../src/plugins/incremental/incremental-document';
import { parse } from 'graphql';

describe('acceptsServedIncrementalFormat', () => {
  it.each([
    [null, true],
    ['*/*', true],
    ['multipart/*', true],
    ['multipart/mixed', true],
    ['multipart/mixed;deferSpec=20220824,application/graphql-response+json,application/json;q=0.9', true],
    ['multipart/mixed; deferSpec="20220824"', true],
    ['application/json, text/event-stream', true],
    ['multipart/mixed;incrementalSpec=v0.2, multipart/mixed', true],
    ['multipart/mixed;incrementalSpec=v0.2,application/graphql-response+json,application/json;q=0.9', false],
    ['multipart/mixed;deferSpec=20230101', false],
    ['multipart/mixed;deferSpec=20220824;deferSpec=20230101', false],
    ['multipart/mixed;q=0', false],
    ['application/graphql-response+json', false],
    ['', false],
  ])('%s → %s', (accept, served) => {
    expect(acceptsServedIncrementalFormat(accept)).toBe(served);
  });

  it('reads a header up to 1024 characters and 32 media ranges, and refuses past either', () => {
    const padded = (length: number) => `multipart/mixed;x=${'a'.repeat(length - 'multipart/mixed;x='.length)}`;
    expect(acceptsServedIncrementalFormat(padded(1024))).toBe(true);
    expect(acceptsServedIncrementalFormat(padded(1025))).toBe(false);
    const ranges = (n: number) => [...Array<string>(n - 1).fill('application/json'), 'multipart/mixed'].join(',');
    expect(acceptsServedIncrementalFormat(ranges(32))).toBe(true);
    expect(acceptsServedIncrementalFormat(ranges(33))).toBe(false);
  });
});

describe('usesIncrementalDelivery', () => {
  it('finds @defer and @stream in operations and fragments, whatever their `if:`', () => {
    expect(usesIncrementalDelivery(parse('{ a { ...F @defer } } fragment F on T { b }'))).toBe(true);
    expect(usesIncrementalDelivery(parse('{ a { ... on T @defer(if: false) { b } } }'))).toBe(true);
    expect(usesIncrementalDelivery(parse('{ a @stream(initialCount: 1) { b } }'))).toBe(true);
    expect(usesIncrementalDelivery(parse('{ a { ...F } } fragment F on T { b @include(if: true) }'))).toBe(false);
  });
});
