// The contract check's comparisons (issue 25): an answer against a runtime wire schema (findings
// grouped per list path and bounded), a document against a provider's schema (errors placed at the
// field path, through inline fragments and aliases).
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { REVIEWS_SDL } from '../../src/dev/upstreams';
import { entitiesDataSchema } from '../../src/providers/reviews/types';
import { ENTITIES_QUERY } from '../../src/providers/reviews/client';
import { describe as describeValue, driftOf, MAX_FINDINGS } from '../../src/tooling/contract-drift';
import { documentDrift, schemaFromSdl } from '../../src/tooling/graphql-contract';

describe('driftOf: an answer against the runtime schema', () => {
  it('nulls where the schema allows them pass; an extra field inside a nullable list item is info, not drift', () => {
    const answer = { _entities: [null, { id: 'prod-1', reviews: [{ id: 'rev-1', score: 5, body: 'ok', authorId: 'user-1', helpful: 3 }] }] };
    expect(driftOf(entitiesDataSchema, answer)).toEqual([
      { severity: 'info', kind: 'extra', path: '_entities[].reviews[].helpful', expected: 'no such field', found: 'number 3', count: 1 },
    ]);
  });

  it('an answer that is not an object at all is one re-typed finding at (answer)', () => {
    expect(driftOf(entitiesDataSchema, 'maintenance')).toEqual([
      { severity: 'drift', kind: 'retyped', path: '(answer)', expected: 'object', found: 'string "maintenance"', count: 1 },
    ]);
  });

  it(`keeps at most ${MAX_FINDINGS} distinct findings, counting repeats of a kept one`, () => {
    const schema = z.object(Object.fromEntries(Array.from({ length: MAX_FINDINGS + 1 }, (_, i) => [`f${i}`, z.string()])));
    const atLimit = driftOf(schema, Object.fromEntries(Array.from({ length: MAX_FINDINGS + 1 }, (_, i) => [`f${i}`, i === MAX_FINDINGS ? 'ok' : 1])));
    expect(atLimit.length).toBe(MAX_FINDINGS);
    const past = driftOf(schema, {});
    expect(past.length).toBe(MAX_FINDINGS);
    expect(past.map((f) => f.path)).toEqual(Array.from({ length: MAX_FINDINGS }, (_, i) => `f${i}`));
  });

  it('describes a found string in at most 40 characters', () => {
    expect(describeValue('x'.repeat(40))).toBe(`string "${'x'.repeat(40)}"`);
    expect(describeValue('x'.repeat(41))).toBe(`string "${'x'.repeat(40)}…"`);
  });
});

describe('documentDrift: a document against a provider schema', () => {
  it('the reviews document validates against the simulator schema', () => {
    expect(documentDrift(schemaFromSdl(REVIEWS_SDL), ENTITIES_QUERY)).toEqual([]);
  });

  it('a field dropped under an inline fragment is named by its response path', () => {
    const drifted = schemaFromSdl(REVIEWS_SDL.replace('    score: Int!\n', ''));
    expect(documentDrift(drifted, ENTITIES_QUERY)).toEqual([
      { severity: 'drift', kind: 'document', path: '_entities.reviews.score', expected: "valid against the provider's schema", found: 'Cannot query field "score" on type "Review".', count: 1 },
    ]);
  });

  it('an aliased field is named by its alias; a document that does not parse is one finding', () => {
    const drifted = schemaFromSdl(REVIEWS_SDL.replace('    body: String!\n', ''));
    const aliased = 'query Q($r: [_Any!]!) { _entities(representations: $r) { ... on Product { reviews { text: body } } } }';
    expect(documentDrift(drifted, aliased).map((f) => f.path)).toEqual(['_entities.reviews.text']);
    expect(documentDrift(drifted, 'query {').map((f) => [f.path, f.expected])).toEqual([['(document)', 'a document that parses']]);
  });
});
