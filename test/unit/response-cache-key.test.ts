import { defaultBuildResponseCacheKey, hashSHA256 } from '@envelop/response-cache';
import { describe, expect, it } from 'vitest';
import { buildCacheKey, callerTag, callerTagOfKey, isStorableKey, type CacheKeyInput } from '../../src/plugins/response-cache-key';

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

  it('does not depend on the order of variables', () => {
    expect(buildCacheKey({ ...input, variables: { after: 'x', first: 20 } })).toBe(buildCacheKey(input));
    expect(buildCacheKey({ ...input, variables: { first: 21, after: 'x' } })).not.toBe(buildCacheKey(input));
  });
});
