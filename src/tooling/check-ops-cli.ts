// `npm run ops:check`: validates every client operation (sources and retained manifests) against the
// current schema and the server's limits, and the schema's authorization directives against the known
// scopes; prints problems compiler-style and a summary table (with each operation's scopes), and
// exits non-zero on any problem.
import { runOpsCheck } from './check-ops';
import { CHECK_PATHS, joinSchemaFiles, option, readManifestTexts, readSchemaFiles } from './check-sources';
import { readOperationTexts } from '../operations/manifest-files';

function main(args: readonly string[]): number {
  const dir = option(args, 'persisted-queries') ?? CHECK_PATHS.persistedQueriesDir;
  const schemaFiles = readSchemaFiles(option(args, 'schema') ?? CHECK_PATHS.schemaDir);
  const result = runOpsCheck({ schemaSdl: joinSchemaFiles(schemaFiles), schemaFiles, sources: readOperationTexts(dir), manifests: readManifestTexts(dir) });
  (result.exitCode === 0 ? console.log : console.error)(result.report);
  return result.exitCode;
}

process.exitCode = main(process.argv.slice(2));
