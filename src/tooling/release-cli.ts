// `npm run pq:release -- <app>@<version>` (a client version's manifest joins the retained ones) and
// `npm run schema:release` (the current schema becomes schema:check's baseline).
import { ManifestError } from '../operations/manifest';
import { releaseManifest, releaseSchema, type ReleaseResult } from './release';

function run(args: readonly string[]): ReleaseResult {
  const [what, release] = args;
  if (what === 'schema') return releaseSchema();
  if (what === 'pq' && release) return releaseManifest({ release });
  throw new ManifestError('usage: release-cli.ts schema | release-cli.ts pq <app>@<version>');
}

try {
  const { path, status } = run(process.argv.slice(2));
  console.log(status === 'written' ? `wrote ${path}: review and commit it` : `${path} is already up to date`);
} catch (error) {
  if (!(error instanceof ManifestError)) throw error;
  console.error(error.message);
  process.exitCode = 1;
}
