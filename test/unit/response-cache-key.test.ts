import { defaultBuildResponseCacheKey, hashSHA256 } from '@envelop/response-cache';
import stableStringify from 'fast-json-stable-stringify';
import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { buildCacheKey, callerTag, callerTagOfKey, isStorableKey, MAX_KEY_VARIABLES_DEPTH, sessionOf, stableJson, UNCACHEABLE_KEY, type CacheKeyInput } from '../../src/plugins/response-cache/response-cache-key';
import { createKeyVariables } from '../../src/plugins/response-cache/response-cache-variables';
import { getSchema } from '../../src/server/schema';

const input: CacheKeyInput = {
  document: 'query Catalogue($first: Int) { products(first: $first) { edges { node { id } } } }',
  persistedId: 'a'.repeat(64),
  operationName: 'Catalogue',
  variables: { first: 20, after: 'x' },
  sessionId: null,
  isPrivate: false,
};

// The keys are hashed synchronously; they must stay what envelop's async builder gave, so that
// entries written to a shared Redis by an instance of the previous release are still found.
describe('response cache keys', () => {
  it('hashes exactly as envelop’s default key builder does', async () => {
    const envelop = await defaultBuildResponseCacheKey({
      documentString: `${input.persistedId}|${input.document}`,
      operationName: input.operationName,
      variableValues: { after: 'x', first: 20 },
      sessionId: undefined,
    });
    expect(buildCacheKey(input)).toBe(`p:${envelop}`);
    expect(buildCacheKey({ ...input, isPrivate: true })).toBe(`a:${envelop}`);
  });

  it('gives a private entry the caller tag envelop’s hash would give, and a per-caller key', async () => {
    const key = buildCacheKey({ ...input, isPrivate: true, sessionId: 'user-7' });
    const tag = (await hashSHA256('caller|user-7')).slice(0, 24);
    expect(callerTag('user-7')).toBe(tag);
    expect(callerTagOfKey(key)).toBe(tag);
    expect(key).not.toContain('user-7');
    expect(key).not.toBe(buildCacheKey({ ...input, isPrivate: true, sessionId: 'user-8' }));
    expect([isStorableKey(key), isStorableKey(buildCacheKey({ ...input, isPrivate: true }))]).toEqual([true, false]);
  });

  it('keys a subject apart per scope set (a narrower token never reads a wider one’s answer) under one caller tag', () => {
    const wide = sessionOf({ id: 'user-7', scopes: ['orders:write', 'orders:read'] }) ?? '';
    const narrow = sessionOf({ id: 'user-7', scopes: ['orders:write'] }) ?? '';
    expect(sessionOf({ id: 'user-7', scopes: ['orders:read', 'orders:write'] })).toBe(wide);
    expect(sessionOf(null)).toBeNull();
    const [wideKey, narrowKey] = [wide, narrow].map((sessionId) => buildCacheKey({ ...input, isPrivate: true, sessionId }));
    expect(wideKey).not.toBe(narrowKey);
    expect([callerTagOfKey(wideKey ?? ''), callerTagOfKey(narrowKey ?? '')]).toEqual([callerTag('user-7'), callerTag('user-7')]);
    // A subject that looks like a session of another subject still gets its own tag.
    expect(callerTagOfKey(buildCacheKey({ ...input, isPrivate: true, sessionId: sessionOf({ id: '6:user-7|', scopes: [] }) }))).toBe(callerTag('6:user-7|'));
  });

  it('does not depend on the order of variables', () => {
    expect(buildCacheKey({ ...input, variables: { after: 'x', first: 20 } })).toBe(buildCacheKey(input));
    expect(buildCacheKey({ ...input, variables: { first: 21, after: 'x' } })).not.toBe(buildCacheKey(input));
  });
});

describe('stableJson (the key’s variables text)', () => {
  it('writes exactly what fast-json-stable-stringify writes, so keys do not change', () => {
    const values: unknown[] = [
      {},
      { first: 20, after: 'x' },
      { b: [1, undefined, null, { z: 1, a: [true, 'é\u2028"'] }], a: NaN, c: Infinity, d: -0, e: undefined, 'ü': 1.5e-7, '10': 2, '9': 3 },
      { at: new Date(Date.UTC(2024, 0, 2)), nested: { deeper: { list: [[[]]] } } },
      [1, 'two', null],
      'text',
      null,
    ];
    for (const value of values) expect(stableJson(value)).toBe(stableStringify(value));
  });

  it('refuses to key variables nested past the bound instead of overflowing the stack', () => {
    let deep: unknown = 'leaf';
    for (let i = 0; i < 100_000; i++) deep = { d: deep };
    expect(() => stableStringify(deep)).toThrow(RangeError);
    expect(stableJson(deep)).toBeUndefined();
    const key = buildCacheKey({ ...input, variables: { first: 1, d: deep } });
    expect([key, isStorableKey(key)]).toEqual([UNCACHEABLE_KEY, false]);

    let atBound: unknown = 1;
    for (let i = 1; i < MAX_KEY_VARIABLES_DEPTH; i++) atBound = [atBound];
    expect(stableJson({ v: atBound })).toBe(stableStringify({ v: atBound }));
    expect(stableJson({ v: [atBound] })).toBeUndefined();
  });
});

describe('key variables: the selected operation’s declared ones, coerced', () => {
  const keyVariables = createKeyVariables({ schema: getSchema() });
  const CATALOGUE = 'query Catalogue($first: Int = 20, $after: String) { products(first: $first, after: $after) { edges { node { id } } } }';
  const TWO = `${CATALOGUE} query Product($id: ID!) { product(id: $id) { id } }`;

  it('drops undeclared variables and applies defaults as execution does', () => {
    expect(keyVariables(CATALOGUE, undefined, { first: 1, junk: 'r4nd0m' })).toEqual({ first: 1 });
    expect(keyVariables(CATALOGUE, 'Catalogue', { junk: { deep: [1, 2] } })).toEqual({ first: 20 });
    expect(keyVariables(CATALOGUE, undefined, undefined)).toEqual({ first: 20 });
    // An explicit null is not an absent variable: execution tells them apart, so the key does too.
    expect(keyVariables(CATALOGUE, undefined, { first: 5, after: null })).toEqual({ first: 5, after: null });
    // ID coerces an Int to its string: one entry for both spellings.
    expect(keyVariables(TWO, 'Product', { id: 7, first: 3 })).toEqual({ id: '7' });
    expect(keyVariables(parse(TWO), 'Product', { id: '7' })).toEqual({ id: '7' });
  });

  it('gives nothing to key (not cached) when the request would fail anyway', () => {
    expect(keyVariables(CATALOGUE, undefined, { first: 'one' })).toBeUndefined(); // coercion fails
    expect(keyVariables(TWO, 'Product', {})).toBeUndefined(); // required variable missing
    expect(keyVariables(TWO, undefined, { id: '1' })).toBeUndefined(); // two operations, none named
    expect(keyVariables(TWO, 'Nope', { id: '1' })).toBeUndefined();
    expect(keyVariables('{ products(first: ', undefined, {})).toBeUndefined(); // does not parse
    expect(keyVariables('', undefined, {})).toBeUndefined();
    expect(keyVariables(CATALOGUE, undefined, [1])).toBeUndefined();
    expect(keyVariables('{ ping }', undefined, { junk: 1 })).toEqual({});
  });

  it('reads a persisted body from its pre-parsed document, never parsing it', () => {
    const document = parse(CATALOGUE);
    const asked: string[] = [];
    const persisted = createKeyVariables({ schema: getSchema(), documentOf: (body) => (asked.push(body), body === 'the-body' ? document : undefined) });
    expect(persisted('the-body', undefined, { first: 2, junk: 1 })).toEqual({ first: 2 });
    expect(asked).toEqual(['the-body']);
  });
});
