// `npm run pq:build`: writes persisted-queries/manifest.json from persisted-queries/operations/*.graphql.
// `npm run pq:build -- --check` writes nothing and fails when the committed manifest is stale (CI).
// `--client=<persisted-documents.json>`: also fails unless that client package's ids and bodies are the manifest's.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { manifestTextOf, PERSISTED_QUERIES_LAYOUT } from '../operations/manifest-files';
import { clientDocumentsProblems } from './client-documents';

function main(args: readonly string[]): number {
  const check = args.includes('--check');
  const dir = args.find((a) => !a.startsWith('--')) ?? 'persisted-queries';
  const target = join(dir, PERSISTED_QUERIES_LAYOUT.manifest);
  const text = manifestTextOf(dir);
  const count = (JSON.parse(text) as { operations: unknown[] }).operations.length;
  const client = args.find((a) => a.startsWith('--client='))?.slice('--client='.length);
  if (client !== undefined) {
    const problems = existsSync(client) ? clientDocumentsProblems(text, target, readFileSync(client, 'utf8'), client) : [`${client}: missing (npm run codegen writes it)`];
    if (problems.length > 0) {
      console.error(problems.join('\n'));
      return 1;
    }
  }
  if (check) {
    const current = existsSync(target) ? readFileSync(target, 'utf8') : '';
    if (current !== text) {
      console.error(`${target} is stale: run npm run pq:build and commit it`);
      return 1;
    }
    console.log(`${target} is up to date (${count} operations)`);
    return 0;
  }
  writeFileSync(target, text);
  console.log(`wrote ${target} (${count} operations)`);
  return 0;
}

process.exitCode = main(process.argv.slice(2));
