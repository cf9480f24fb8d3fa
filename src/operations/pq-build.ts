// `npm run pq:build`: writes persisted-queries/manifest.json from persisted-queries/operations/*.graphql.
// `npm run pq:build -- --check` writes nothing and fails when the committed manifest is stale (CI).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { manifestTextOf, PERSISTED_QUERIES_LAYOUT } from './manifest-files';

function main(args: readonly string[]): number {
  const check = args.includes('--check');
  const dir = args.find((a) => !a.startsWith('--')) ?? 'persisted-queries';
  const target = join(dir, PERSISTED_QUERIES_LAYOUT.manifest);
  const text = manifestTextOf(dir);
  const count = (JSON.parse(text) as { operations: unknown[] }).operations.length;
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
