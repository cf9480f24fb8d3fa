// The release lifecycle of what clients depend on: a client version's persisted-query manifest is
// copied to persisted-queries/released/<app>@<version>.json (append-only, kept until retired by
// deleting it in a reviewed commit), and the shipped schema becomes the baseline schema:check uses.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { CHECK_PATHS, readSchemaSdl } from './check-sources';
import { ManifestError } from '../operations/manifest';
import { manifestTextOf, PERSISTED_QUERIES_LAYOUT } from '../operations/manifest-files';

/** `<app>@<semver>`: lower-case app name, then the client's version. */
const RELEASE_NAME = /^[a-z][a-z0-9-]*@\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.-]+)?$/;

export interface ReleaseResult {
  readonly path: string;
  /** `unchanged` when the same content was already released (re-running a release is harmless). */
  readonly status: 'written' | 'unchanged';
}

export interface ReleaseManifestOptions {
  /** `<app>@<version>`, e.g. `web@1.4.0`. */
  readonly release: string;
  /** @default 'persisted-queries' */
  readonly dir?: string;
}

/**
 * Copies the current manifest.json to released/<release>.json. Refuses a stale manifest.json (it must
 * be what the operation sources build, i.e. what was reviewed) and never overwrites a different
 * release of the same name: released manifests are append-only.
 */
export function releaseManifest(options: ReleaseManifestOptions): ReleaseResult {
  const dir = options.dir ?? CHECK_PATHS.persistedQueriesDir;
  if (!RELEASE_NAME.test(options.release)) {
    throw new ManifestError(`"${options.release}" is not a release name: expected <app>@<version>, e.g. web@1.4.0`);
  }
  const current = join(dir, PERSISTED_QUERIES_LAYOUT.manifest);
  const text = existsSync(current) ? readFileSync(current, 'utf8') : '';
  if (text !== manifestTextOf(dir)) throw new ManifestError(`${current} is missing or stale: run npm run codegen, review and commit it, then release`);
  const path = join(dir, PERSISTED_QUERIES_LAYOUT.released, `${options.release}.json`);
  if (existsSync(path)) {
    if (readFileSync(path, 'utf8') === text) return { path, status: 'unchanged' };
    throw new ManifestError(`${path} already exists with other operations: released manifests are append-only; release a new version`);
  }
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  return { path, status: 'written' };
}

export interface ReleaseSchemaOptions {
  /** @default 'schema' */
  readonly schemaDir?: string;
  /** @default CHECK_PATHS.schemaBaseline */
  readonly baseline?: string;
}

const BASELINE_HEADER =
  '# The last released schema: `npm run schema:check` compares schema/ against it; `npm run schema:release` rewrites it\n' +
  '# when a schema ships. Generated: do not edit.\n';

/** Makes the current schema the released baseline. */
export function releaseSchema(options: ReleaseSchemaOptions = {}): ReleaseResult {
  const path = options.baseline ?? CHECK_PATHS.schemaBaseline;
  const text = `${BASELINE_HEADER}${readSchemaSdl(options.schemaDir)}`;
  if (existsSync(path) && readFileSync(path, 'utf8') === text) return { path, status: 'unchanged' };
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  return { path, status: 'written' };
}
