// What the CI checks read from the repository: the schema as codegen joins it, the manifests as
// text (a broken one is a reported problem, not a crash), and where the released schema lives.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { filesEnding, PERSISTED_QUERIES_LAYOUT } from '../operations/manifest-files';

export const CHECK_PATHS = Object.freeze({
  schemaDir: 'schema',
  persistedQueriesDir: 'persisted-queries',
  /** The last released schema; `npm run schema:release` rewrites it. */
  schemaBaseline: 'persisted-queries/released/schema.graphql',
  /** Breaking changes since that baseline which schema:check lets through, each with its reason. */
  acceptedChanges: 'persisted-queries/accepted-changes.json',
});

/** The schema files, sorted as codegen.ts reads them. */
export function readSchemaFiles(dir: string = CHECK_PATHS.schemaDir): { file: string; source: string }[] {
  return filesEnding(dir, '.graphql').map((file) => ({ file, source: readFileSync(file, 'utf8') }));
}

/** The SDL exactly as codegen.ts joins it (sorted files, newline-separated). */
export function readSchemaSdl(dir: string = CHECK_PATHS.schemaDir): string {
  return joinSchemaFiles(readSchemaFiles(dir));
}

export function joinSchemaFiles(files: readonly { readonly source: string }[]): string {
  return files.map((f) => f.source).join('\n');
}

export interface ManifestText {
  /** The manifest's path relative to the working directory, as reported. */
  readonly source: string;
  readonly text: string;
}

/** The retained released manifests of a persisted-queries folder (released/*.json), sorted. */
function readReleasedManifestTexts(dir: string = CHECK_PATHS.persistedQueriesDir): ManifestText[] {
  return filesEnding(join(dir, PERSISTED_QUERIES_LAYOUT.released), '.json').map((source) => ({ source, text: readFileSync(source, 'utf8') }));
}

/** manifest.json (when present) and every retained released manifest. */
export function readManifestTexts(dir: string = CHECK_PATHS.persistedQueriesDir): ManifestText[] {
  const current = join(dir, PERSISTED_QUERIES_LAYOUT.manifest);
  const head = existsSync(current) ? [{ source: current, text: readFileSync(current, 'utf8') }] : [];
  return [...head, ...readReleasedManifestTexts(dir)];
}

/** The value of a `--name=value` command-line option of the CI checks. */
export function option(args: readonly string[], name: string): string | undefined {
  return args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
}
