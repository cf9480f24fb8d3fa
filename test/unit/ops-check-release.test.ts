// The manifest lifecycle: release a client version's manifest (append-only), the server's loader
// allows the union of retained manifests, retiring is deleting the file; and the schema baseline.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManifestError } from '../../src/operations/manifest';
import { manifestTextOf, readManifests } from '../../src/operations/manifest-files';
import { createPersistedStore } from '../../src/operations/persisted-store';
import { releaseManifest, releaseSchema } from '../../src/tooling/release';

let dir: string;

function writeOperation(file: string, source: string): void {
  writeFileSync(join(dir, 'operations', file), source);
}
function build(): void {
  writeFileSync(join(dir, 'manifest.json'), manifestTextOf(dir));
}
function names(): string[] {
  return [...createPersistedStore(readManifests(dir)).operations()].map((op) => op.name).sort();
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'pq-release-'));
  mkdirSync(join(dir, 'operations'));
  writeOperation('me.graphql', 'query Me {\n  me {\n    id\n  }\n}\n');
  build();
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('releaseManifest', () => {
  it('copies the current manifest to released/<app>@<version>.json, and re-running it changes nothing', () => {
    expect(releaseManifest({ dir, release: 'web@1.4.0' })).toEqual({ path: join(dir, 'released', 'web@1.4.0.json'), status: 'written' });
    expect(readFileSync(join(dir, 'released', 'web@1.4.0.json'), 'utf8')).toBe(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    expect(releaseManifest({ dir, release: 'web@1.4.0' }).status).toBe('unchanged');
  });

  it('keeps released manifests append-only: a different manifest under a released name is refused', () => {
    releaseManifest({ dir, release: 'web@1.4.0' });
    writeOperation('me.graphql', 'query Me {\n  me {\n    id\n    name\n  }\n}\n');
    build();
    expect(() => releaseManifest({ dir, release: 'web@1.4.0' })).toThrow(/already exists with other operations: released manifests are append-only/);
  });

  it('refuses a stale manifest.json and a malformed release name', () => {
    writeOperation('other.graphql', 'query Other {\n  ping\n}\n');
    expect(() => releaseManifest({ dir, release: 'web@1.5.0' })).toThrow(/is missing or stale: run npm run codegen/);
    build();
    expect(() => releaseManifest({ dir, release: 'Web 1.5' })).toThrow(ManifestError);
    expect(() => releaseManifest({ dir, release: 'web@1.5' })).toThrow(/expected <app>@<version>/);
  });

  it('the server allows the union of retained releases until one is retired by deleting it', () => {
    writeOperation('legacy.graphql', 'query Legacy {\n  ping\n}\n');
    build();
    releaseManifest({ dir, release: 'ios@2.0.0' });
    unlinkSync(join(dir, 'operations', 'legacy.graphql'));
    build();
    releaseManifest({ dir, release: 'web@1.4.0' });
    expect(names()).toEqual(['Legacy', 'Me']);

    unlinkSync(join(dir, 'released', 'ios@2.0.0.json'));
    expect(names()).toEqual(['Me']);
  });
});

describe('releaseSchema', () => {
  it('writes the joined schema as the baseline once, then reports it unchanged', () => {
    mkdirSync(join(dir, 'schema'));
    writeFileSync(join(dir, 'schema', 'a.graphql'), 'type Query {\n  ping: Boolean!\n}\n');
    const baseline = join(dir, 'released', 'schema.graphql');
    expect(releaseSchema({ schemaDir: join(dir, 'schema'), baseline })).toEqual({ path: baseline, status: 'written' });
    expect(readFileSync(baseline, 'utf8')).toMatch(/^# The last released schema[^\n]*\n# [^\n]*\ntype Query \{\n {2}ping: Boolean!\n\}\n$/);
    expect(releaseSchema({ schemaDir: join(dir, 'schema'), baseline }).status).toBe('unchanged');
  });
});
