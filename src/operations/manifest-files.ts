// Where the persisted operations live on disk and how they are read: the operation sources, the
// generated manifest.json, and the retained released manifests (persisted-queries/released/*.json).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { buildManifest, extractOperations, type OperationText } from './extract-operations';
import { ManifestError, parseManifestText, stringifyManifest, type LoadedManifest } from './manifest';

export const PERSISTED_QUERIES_LAYOUT = Object.freeze({
  /** The human-readable source of truth, one or more operations/fragments per file. */
  operations: 'operations',
  /** Written by `npm run pq:build`. */
  manifest: 'manifest.json',
  /** Manifests of released client versions that are still in use; the server allows their union. */
  released: 'released',
});

/** The files of `dir` whose names end with `suffix`, sorted by name (none when `dir` is missing). */
export function filesEnding(dir: string, suffix: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((file) => file.endsWith(suffix))
    .sort()
    .map((file) => join(dir, file));
}

/** The operation files of `dir` (a persisted-queries folder), sorted by name. */
export function readOperationTexts(dir: string): OperationText[] {
  return filesEnding(join(dir, PERSISTED_QUERIES_LAYOUT.operations), '.graphql').map((file) => ({ file, source: readFileSync(file, 'utf8') }));
}

/**
 * manifest.json and every released manifest of `dir`, each verified (id = sha256 of body).
 * Relative paths resolve against the working directory (the project root under `next start`).
 */
export function readManifests(dir: string): LoadedManifest[] {
  const root = resolve(dir);
  const current = join(root, PERSISTED_QUERIES_LAYOUT.manifest);
  if (!existsSync(current)) {
    throw new ManifestError(`${current}: missing; run npm run pq:build to generate it from ${join(root, PERSISTED_QUERIES_LAYOUT.operations)}`);
  }
  const files = [current, ...filesEnding(join(root, PERSISTED_QUERIES_LAYOUT.released), '.json')];
  return files.map((file) => ({ source: file, manifest: parseManifestText(readFileSync(file, 'utf8'), file) }));
}

/** The manifest.json text that `dir`'s operation sources produce (what pq:build writes). */
export function manifestTextOf(dir: string): string {
  return stringifyManifest(buildManifest(extractOperations(readOperationTexts(dir))));
}
