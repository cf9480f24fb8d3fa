// The persisted-operation manifest: canonical bodies, ids, the committed manifest being what the
// sources produce (the same file drives the server and CI), tamper detection, the union store.
import { mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kind, parse } from 'graphql';
import { afterEach, describe, expect, it } from 'vitest';
import { createApqRegistry } from '../../src/operations/apq-registry';
import { extractOperations } from '../../src/operations/extract-operations';
import { ManifestError, parseManifestText, sha256Hex, stringifyManifest } from '../../src/operations/manifest';
import { manifestTextOf, readManifests } from '../../src/operations/manifest-files';
import { createPersistedStore } from '../../src/operations/persisted-store';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'pq-'));
  dirs.push(dir);
  return dir;
}

describe('extractOperations', () => {
  const texts = [
    { file: 'frags.graphql', source: 'fragment B on User { id }\nfragment A on User { name ...B }\nfragment Unused on User { email }' },
    { file: 'ops.graphql', source: 'query Two { me { ...A } }\n# a comment\nquery One($id: ID!) { user(id: $id) { id } }' },
  ];

  it('prints each operation with the fragments it uses (transitively), __typename below the root, on one line and sorted (as the client preset prints), id = sha256(body)', () => {
    const ops = extractOperations(texts);
    expect(ops.map((o) => o.name)).toEqual(['One', 'Two']);
    const two = ops[1];
    expect(two?.body).toBe('fragment A on User { __typename name ...B } fragment B on User { __typename id } query Two { me { __typename ...A } }');
    expect(two?.id).toBe(sha256Hex(two?.body ?? ''));
    expect(two?.type).toBe('query');
    expect(ops[0]?.body).not.toContain('fragment');
    // GraphiQL's tabs: graphql-js's print, in the sources' order.
    expect(extractOperations(texts, { addTypename: false, print: 'readable' })[1]?.body).toBe(
      'query Two {\n  me {\n    ...A\n  }\n}\n\nfragment A on User {\n  name\n  ...B\n}\n\nfragment B on User {\n  id\n}',
    );
  });

  it('refuses what the canonical print would change: whitespace inside a string, client-only directives', () => {
    expect(() => extractOperations([{ file: 's.graphql', source: 'query S { user(id: "a  b") { id } }' }])).toThrow(
      's.graphql: operation "S": the string "a  b" holds whitespace the canonical print collapses; pass it as a variable',
    );
    expect(() => extractOperations([{ file: 'c.graphql', source: 'query C { me { id local @client } }' }])).toThrow('c.graphql: operation "C": @client is a client-only directive');
  });

  it('names the file and operation when the sources are wrong', () => {
    expect(() => extractOperations([{ file: 'x.graphql', source: 'query { me { id } }' }])).toThrow('x.graphql: every persisted operation needs a name');
    expect(() => extractOperations([{ file: 'x.graphql', source: 'query Q { me { ...Nope } }' }])).toThrow('x.graphql: operation "Q" spreads unknown fragment "Nope"');
    expect(() => extractOperations([{ file: 'a.graphql', source: 'query Q { ping }' }, { file: 'b.graphql', source: 'query Q { ping }' }])).toThrow(
      'b.graphql: operation "Q" is also defined in a.graphql',
    );
  });
});

describe('the committed manifest', () => {
  it('is exactly what npm run pq:build produces from persisted-queries/operations', () => {
    expect(readFileSync('persisted-queries/manifest.json', 'utf8')).toBe(manifestTextOf('persisted-queries'));
  });

  it('lists the client operations in Apollo format, every operation of the sources, by name', () => {
    const [current] = readManifests('persisted-queries');
    expect(current?.manifest.format).toBe('apollo-persisted-query-manifest');
    // Read with graphql-js itself, not with the code under test.
    const sources = readdirSync('persisted-queries/operations').filter((file) => file.endsWith('.graphql'));
    const declared = sources
      .flatMap((file) => parse(readFileSync(join('persisted-queries/operations', file), 'utf8')).definitions)
      .flatMap((definition) => (definition.kind === Kind.OPERATION_DEFINITION && definition.name ? [{ name: definition.name.value, type: definition.operation }] : []))
      .sort((a, b) => (a.name < b.name ? -1 : 1));
    expect(current?.manifest.operations.map((o) => `${o.type} ${o.name}`)).toEqual(declared.map((o) => `${o.type} ${o.name}`));
    expect(declared.map((o) => o.name)).toEqual(expect.arrayContaining(['Catalogue', 'Me', 'OrderPage', 'PlaceOrder', 'ProductDetail']));
  });
});

describe('loading manifests', () => {
  function writeManifest(file: string, ops: { name: string; body: string; id?: string }[]) {
    const manifest = { format: 'apollo-persisted-query-manifest' as const, version: 1 as const, operations: ops.map((o) => ({ id: o.id ?? sha256Hex(o.body), name: o.name, type: 'query' as const, body: o.body })) };
    writeFileSync(file, stringifyManifest(manifest));
  }

  it('serves the union of manifest.json and every released manifest, each body parsed once', () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'released'));
    writeManifest(join(dir, 'manifest.json'), [{ name: 'Ping', body: 'query Ping { ping }' }]);
    writeManifest(join(dir, 'released', 'web@1.0.0.json'), [{ name: 'Ping', body: 'query Ping { ping }' }, { name: 'Old', body: 'query Old { me { id } }' }]);
    const store = createPersistedStore(readManifests(dir));
    expect(store.size).toBe(2);
    const old = store.get(sha256Hex('query Old { me { id } }'));
    expect(old?.name).toBe('Old');
    expect(old?.source).toBe(join(dir, 'released', 'web@1.0.0.json'));
    expect(store.documentOf('query Old { me { id } }')).toBe(old?.document);
  });

  it('refuses a tampered entry, naming the file and the operation', () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'released'));
    writeManifest(join(dir, 'manifest.json'), [{ name: 'Ping', body: 'query Ping { ping }' }]);
    writeManifest(join(dir, 'released', 'web@2.0.0.json'), [{ name: 'Evil', body: 'query Evil { me { email } }', id: sha256Hex('query Evil { me { id } }') }]);
    let error: unknown;
    try {
      readManifests(dir);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ManifestError);
    expect((error as Error).message).toContain(`${join(dir, 'released', 'web@2.0.0.json')}: operation "Evil" has id`);
  });

  it('refuses a file that is not a manifest, and a missing manifest.json', () => {
    expect(() => parseManifestText('{"format":"other","version":1,"operations":[]}', 'm.json')).toThrow(/^m\.json: not an apollo-persisted-query-manifest v1 at format/);
    expect(() => parseManifestText('{', 'm.json')).toThrow('m.json: not valid JSON');
    expect(() => readManifests(tempDir())).toThrow(/manifest\.json: missing; run npm run pq:build/);
  });
});

describe('createApqRegistry', () => {
  it('keeps at most maxEntries registrations, dropping the oldest', () => {
    const registry = createApqRegistry(2);
    registry.register('a', 'A');
    registry.register('b', 'B');
    registry.register('c', 'C');
    expect(registry.size).toBe(2);
    expect(registry.get('a')).toBeUndefined();
    expect(registry.get('c')).toBe('C');
  });
});
