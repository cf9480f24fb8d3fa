// `npm run schema:check`: the current schema against the last released one (the committed baseline),
// each change classified, and the retained persisted operations it would break named; exits
// non-zero when a change breaks a shipped operation (unless persisted-queries/accepted-changes.json
// accepts it, with a reason).
import { existsSync, readFileSync } from 'node:fs';
import { AcceptedChangesError, readAcceptedChanges } from './accepted-changes';
import { CHECK_PATHS, option, readManifestTexts, readSchemaSdl } from './check-sources';
import { ManifestError, parseManifestText } from '../operations/manifest';
import { runSchemaCheck, type AcceptedChange, type RetainedOperation } from './schema-check';

async function main(args: readonly string[]): Promise<number> {
  const baselinePath = option(args, 'baseline') ?? CHECK_PATHS.schemaBaseline;
  const schemaDir = option(args, 'schema') ?? CHECK_PATHS.schemaDir;
  const dir = option(args, 'persisted-queries') ?? CHECK_PATHS.persistedQueriesDir;
  if (!existsSync(baselinePath)) {
    console.error(`schema:check: no released schema at ${baselinePath}; run npm run schema:release and commit it.`);
    return 1;
  }
  let operations: RetainedOperation[];
  let accepted: AcceptedChange[];
  try {
    operations = readManifestTexts(dir).flatMap(({ source, text }) =>
      parseManifestText(text, source).operations.map((op) => ({ name: op.name, body: op.body, source })),
    );
    accepted = readAcceptedChanges(option(args, 'accepted') ?? CHECK_PATHS.acceptedChanges);
  } catch (error) {
    if (!(error instanceof ManifestError) && !(error instanceof AcceptedChangesError)) throw error;
    console.error(`schema:check: ${error.message}`);
    return 1;
  }
  const result = await runSchemaCheck({ baselineSdl: readFileSync(baselinePath, 'utf8'), currentSdl: readSchemaSdl(schemaDir), operations, accepted });
  (result.exitCode === 0 ? console.log : console.error)(result.report);
  return result.exitCode;
}

process.exitCode = await main(process.argv.slice(2));
