// `npm run bench:publish`: writes the committed BENCHMARKS.md from the last full run's record
// (test/bench/results/latest.json, git-ignored): machine, date, commit, settings, the tables, how to
// reproduce. It only formats; the figures are the run's. `-- --from <file>` reads another record.
import { readFileSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import type { Row } from './matrix';
import { markdownTable, peerTable, RESULTS_DIR, targetNotes, targetsSection, upstreamNotes } from './report';
import { TARGETS } from './targets';

const OUT = 'BENCHMARKS.md';

const recordSchema = z.object({
  machine: z.object({ cpus: z.number(), model: z.string(), node: z.string(), date: z.string(), loadAverage: z.number() }),
  revision: z.object({ commit: z.string(), uncommitted: z.number() }),
  elapsedS: z.number(),
  env: z.record(z.string(), z.string()),
  settingsLine: z.string(),
  settings: z.object({ durationS: z.number(), rounds: z.number(), warmupS: z.number(), connections: z.array(z.number()) }),
  rows: z.array(z.looseObject({ target: z.string(), scenario: z.string(), connections: z.number(), rps: z.number() })),
  notes: z.array(z.object({ target: z.string(), scenario: z.string(), upstreamCalls: z.record(z.string(), z.number()), problems: z.array(z.string()) })),
});

function main(): void {
  const fromAt = process.argv.indexOf('--from');
  const from = fromAt >= 0 ? (process.argv[fromAt + 1] ?? '') : `${RESULTS_DIR}/latest.json`;
  const record = recordSchema.parse(JSON.parse(readFileSync(from, 'utf8')));
  // The rows are the bench's own Row records (matrix.ts), written by report.ts; NaN became null in JSON.
  const rows = record.rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v === null ? Number.NaN : v]))) as unknown as Row[];
  const known = new Set<string>(TARGETS.map((t) => t.name));
  const unknown = rows.filter((r) => !known.has(r.target)).map((r) => r.target);
  if (unknown.length > 0) throw new Error(`${from}: targets this bench does not know: ${[...new Set(unknown)].join(', ')}`);
  const env = Object.entries(record.env)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  const { machine, revision, settings } = record;
  const minutes = (record.elapsedS / 60).toFixed(0);
  const markdown = [
    '# Benchmarks',
    '',
    '<!-- Written by `npm run bench:publish` from test/bench/results/latest.json; rerun the bench and republish rather than editing. -->',
    '',
    `Our gateway against its strongest peers and against the floor of the order page, measured in one run of \`npm run bench\`
(how a run works, what each target is: [test/bench/README.md](test/bench/README.md)). Every target serves the same schema
from the same simulated providers with the same provider clients; ratios are taken between rows of this one run. The
machine is a shared VM that moves ±30 % between runs: read the ratios, not the absolute figures.`,
    '',
    `- **Machine**: ${machine.cpus} × ${machine.model}, Node ${machine.node}`,
    `- **Date**: ${machine.date}`,
    `- **Commit**: ${revision.commit}${revision.uncommitted > 0 ? ` (+ ${revision.uncommitted} uncommitted file(s) in the work tree at run time)` : ''}`,
    `- **Run**: \`${env ? `${env} ` : ''}npm run bench\`: ${settings.rounds} rounds, ${settings.durationS} s measured per cell (${settings.warmupS} s warm-up), connections ${settings.connections.join(' and ')}; ${minutes} min in all`,
    `- **Settings**: ${record.settingsLine}`,
    '',
    '## Ours against the peers it competes with, and the floor',
    '',
    'req/s × and CPU × are ours ÷ theirs: above 1 in req/s and below 1 in CPU, ours is ahead. The floor is the order',
    "page's unavoidable work (5 provider round trips with their JSON parsing and checks, the answer's JSON.stringify) on",
    'node:http without GraphQL: CPU × floor is how much each target spends over it.',
    '',
    ...peerTable(rows),
    ...targetsSection(rows).map((line) => line.replace(/^### /, '## ')),
    '',
    '## Every row',
    '',
    markdownTable(rows),
    ...targetNotes(rows).map((line) => line.replace(/^### /, '## ')),
    upstreamNotes(record.notes).replace(/\n### /, '\n## '),
    '',
    '## Reproduce',
    '',
    '```',
    'npm ci',
    `${env ? `${env} ` : ''}npm run bench     # writes test/bench/results/latest.{md,json} (git-ignored); next build first when stale`,
    'npm run bench:publish   # rewrites this file from test/bench/results/latest.json',
    '```',
    '',
    'One scenario or a few targets: `BENCH_TARGETS=ours-standalone,yoga-jit,yoga-guild,floor BENCH_SCENARIOS=order-page npm run bench`.',
    "`BENCH_PEER_NODE_DEFAULTS=1` runs the peers on node's default V8 settings instead of ours'.",
    '',
  ].join('\n');
  writeFileSync(OUT, markdown);
  process.stderr.write(`written ${OUT} from ${from}\n`);
}

main();
