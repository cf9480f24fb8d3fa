// The results: one markdown table (stdout and results/latest.md) and the JSON record
// (results/latest.json), with ratios measured in the same run: against yoga-plain (every row), against
// the peers each ours-* target competes with (targets.ts `versus`), and against the floor (order page).
// publish.ts turns latest.json into the committed BENCHMARKS.md.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import type { RoundFigures, Row, ScenarioNote } from './matrix';
import type { BenchOptions } from './options';
import { nodeSettingsLine, TARGETS, type TargetName } from './targets';

export const RESULTS_DIR = 'test/bench/results';

export interface Machine {
  readonly cpus: number;
  readonly model: string;
  readonly node: string;
  readonly date: string;
  /** 1-minute load average when the report was written: above the core count, other work shared the machine. */
  readonly loadAverage: number;
}

export function machine(): Machine {
  const list = cpus();
  return { cpus: list.length, model: list[0]?.model.trim() ?? 'unknown', node: process.version, date: new Date().toISOString(), loadAverage: loadavg()[0] ?? 0 };
}

const codes = (r: Row) => {
  const list = Object.entries(r.errorCodes);
  return list.length === 0 ? '' : ` (${list.map(([c, n]) => `${c} ${n}`).join(', ')})`;
};

const fmt = (n: number | undefined, digits: number) => (n === undefined || !Number.isFinite(n) ? '–' : n.toFixed(digits));

/** yoga-plain, same scenario and connections; fixed-json compares against yoga-plain order-page. */
function baseline(rows: readonly Row[], row: Row): Row | undefined {
  const scenario = row.scenario === 'fixed-json' ? 'order-page' : row.scenario;
  return rows.find((r) => r.target === 'yoga-plain' && r.scenario === scenario && r.connections === row.connections);
}

export function ratios(rows: readonly Row[], row: Row): { rps: number | undefined; cpu: number | undefined } {
  const base = baseline(rows, row);
  return { rps: base ? row.rps / base.rps : undefined, cpu: base ? row.cpuMsPerRequest / base.cpuMsPerRequest : undefined };
}

export interface Ratio {
  /** req/s of the row ÷ req/s of the other. */
  readonly rps: number;
  /** CPU ms per request of the row ÷ the other's. */
  readonly cpu: number;
}

export interface PeerRatio extends Ratio {
  readonly peer: TargetName;
}

const ratioOf = (row: Row, other: Row): Ratio => ({ rps: row.rps / other.rps, cpu: row.cpuMsPerRequest / other.cpuMsPerRequest });

/** The row's ratio to each peer its target competes with (targets.ts `versus`), where that peer was measured. */
export function peerRatios(rows: readonly Row[], row: Row): PeerRatio[] {
  const versus = TARGETS.find((t) => t.name === row.target)?.versus ?? [];
  return versus.flatMap((peer) => {
    // raw-node-http answers one scenario only (fixed-json): the ceiling for any.
    const other = rows.find((r) => r.target === peer && r.connections === row.connections && (r.scenario === row.scenario || peer === 'raw-node-http'));
    return other ? [{ peer, ...ratioOf(row, other) }] : [];
  });
}

/** The row's ratio to the floor row (order page only, same connections). */
export function floorRatio(rows: readonly Row[], row: Row): Ratio | undefined {
  if (row.target === 'floor' || row.scenario !== 'order-page') return undefined;
  const floor = rows.find((r) => r.target === 'floor' && r.scenario === row.scenario && r.connections === row.connections);
  return floor ? ratioOf(row, floor) : undefined;
}

/**
 * The rows' ratio of one figure in each round (req/s by default): slices of one round ran minutes
 * apart at most, so the machine's drift between runs mostly cancels. Rounds where either figure is
 * missing are skipped.
 */
export function roundRatios(row: Row, other: Row, pick: (round: RoundFigures) => number = (round) => round.rps): number[] {
  // Rows read back from JSON may lack rounds (written before they were recorded) or hold null for NaN.
  const mine = row.rounds ?? [];
  const theirs = other.rounds ?? [];
  const out: number[] = [];
  for (let i = 0; i < Math.min(mine.length, theirs.length); i += 1) {
    const [m, t] = [mine[i], theirs[i]];
    const a = m ? pick(m) : undefined;
    const b = t ? pick(t) : undefined;
    if (typeof a === 'number' && typeof b === 'number' && Number.isFinite(a) && Number.isFinite(b) && b > 0) out.push(a / b);
  }
  return out;
}

/** `min–max` of the per-round ratios, or – without them. */
export function spread(values: readonly number[]): string {
  if (values.length === 0) return '–';
  return `${fmt(Math.min(...values), 2)}–${fmt(Math.max(...values), 2)}`;
}

const peerCell = (ratios: readonly PeerRatio[]) => ratios.map((p) => `${p.peer} ${fmt(p.rps, 2)}× (CPU ${fmt(p.cpu, 2)}×)`).join('; ');
const floorCell = (ratio: Ratio | undefined) => (ratio ? `${fmt(ratio.rps, 2)}× (CPU ${fmt(ratio.cpu, 2)}×)` : '');

export function markdownTable(rows: readonly Row[]): string {
  const header =
    '| target | scenario | conns | req/s | × yoga-plain | peer: req/s × (CPU ×) | × floor: req/s (CPU) | p50 ms | p99 ms | CPU ms/req | CPU × yoga-plain | peak RSS MB | upstream req/req | op sent as | non-2xx / with errors / socket errors |\n' +
    '|---|---|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---|---:|';
  const lines = rows.map((r) => {
    const ratio = ratios(rows, r);
    return `| ${r.target} | ${r.scenario} | ${r.connections} | ${fmt(r.rps, 0)} | ${fmt(ratio.rps, 2)} | ${peerCell(peerRatios(rows, r))} | ${floorCell(floorRatio(rows, r))} | ${fmt(r.p50Ms, 2)} | ${fmt(r.p99Ms, 2)} | ${fmt(r.cpuMsPerRequest, 3)} | ${fmt(ratio.cpu, 2)} | ${fmt(r.peakRssMb, 0)} | ${fmt(r.upstreamRequestsPerRequest, 2)} | ${r.sentAs} | ${r.non2xx} / ${r.graphqlErrors}${codes(r)} / ${r.errors} |`;
  });
  return [header, ...lines].join('\n');
}

/** Each ours-* row beside the peers it competes with and the floor: the figures the comparison rests on. */
export function peerTable(rows: readonly Row[]): string[] {
  const out = [
    '| ours target | scenario | conns | req/s | CPU ms/req | against | its req/s | its CPU ms/req | req/s × | req/s × by round (min–max) | CPU × |',
    '|---|---|---:|---:|---:|---|---:|---:|---:|---:|---:|',
  ];
  for (const row of rows.filter((r) => r.target.startsWith('ours-'))) {
    const others: [string, Row | undefined, Ratio | undefined][] = [
      ...peerRatios(rows, row).map((p): [string, Row | undefined, Ratio] => [
        p.peer,
        rows.find((r) => r.target === p.peer && r.connections === row.connections && (r.scenario === row.scenario || p.peer === 'raw-node-http')),
        p,
      ]),
      ...(floorRatio(rows, row) ? [['floor', rows.find((r) => r.target === 'floor' && r.scenario === row.scenario && r.connections === row.connections), floorRatio(rows, row)] as [string, Row | undefined, Ratio | undefined]] : []),
    ];
    for (const [name, other, ratio] of others) {
      out.push(
        `| ${row.target} | ${row.scenario} | ${row.connections} | ${fmt(row.rps, 0)} | ${fmt(row.cpuMsPerRequest, 3)} | ${name} | ${fmt(other?.rps, 0)} | ${fmt(other?.cpuMsPerRequest, 3)} | ${fmt(ratio?.rps, 2)} | ${other ? spread(roundRatios(row, other)) : '–'} | ${fmt(ratio?.cpu, 2)} |`,
      );
    }
  }
  return out.length > 2 ? out : [];
}

/** Issue 22's targets for ours-standalone on the order page, as measured (met or not). */
export function targetsSection(rows: readonly Row[]): string[] {
  const out = ['', '### ours-standalone against the targets (order page)', '', '| conns | vs | measured | by round (min–max) | target | met |', '|---:|---|---:|---:|---|---|'];
  const check = (measured: number | undefined, rounds: string, target: string, met: (n: number) => boolean) =>
    `${fmt(measured, 2)}× | ${rounds} | ${target} | ${measured === undefined || !Number.isFinite(measured) ? 'not measured' : met(measured) ? 'yes' : '**no**'}`;
  for (const row of rows.filter((r) => r.target === 'ours-standalone' && r.scenario === 'order-page')) {
    const peers = peerRatios(rows, row);
    const of = (peer: TargetName) => peers.find((p) => p.peer === peer);
    const byRound = (peer: TargetName) => {
      const other = rows.find((r) => r.target === peer && r.scenario === row.scenario && r.connections === row.connections);
      return other ? spread(roundRatios(row, other)) : '–';
    };
    // CPU per request: the floor's ÷ ours, per round, so that "≤ 2×" reads the same way as the total.
    const floor = rows.find((r) => r.target === 'floor' && r.scenario === row.scenario && r.connections === row.connections);
    const cpuRounds = floor ? roundRatios(row, floor, (round) => round.cpuMsPerRequest) : [];
    out.push(`| ${row.connections} | yoga-jit, req/s | ${check(of('yoga-jit')?.rps, byRound('yoga-jit'), '≥ 1.3×', (n) => n >= 1.3)} |`);
    out.push(`| ${row.connections} | yoga-guild, req/s | ${check(of('yoga-guild')?.rps, byRound('yoga-guild'), '≥ 2×', (n) => n >= 2)} |`);
    out.push(`| ${row.connections} | floor, CPU per order page | ${check(floorRatio(rows, row)?.cpu, spread(cpuRounds), '≤ 2×', (n) => n <= 2)} |`);
  }
  return out.length > 5 ? [...out, ...room(rows)] : room(rows);
}

/**
 * Whether the req/s targets leave room at all: the most any server built on Yoga can answer
 * (yoga-floor) and the most any server can (floor), each ÷ the target's peer, against the target's
 * factor. Judged by round: no when every round is below the factor, yes when none is, unclear when
 * the rounds straddle it (a run's total alone moves ±15 % here).
 */
function room(rows: readonly Row[]): string[] {
  const out: string[] = [];
  const bounds: [TargetName, TargetName, number][] = [
    ['yoga-floor', 'yoga-jit', 1.3],
    ['floor', 'yoga-jit', 1.3],
    ['yoga-floor', 'yoga-guild', 2],
    ['floor', 'yoga-guild', 2],
  ];
  for (const connections of [...new Set(rows.filter((r) => r.scenario === 'order-page').map((r) => r.connections))]) {
    const at = (target: TargetName) => rows.find((r) => r.target === target && r.scenario === 'order-page' && r.connections === connections);
    for (const [bound, peer, factor] of bounds) {
      const [b, p] = [at(bound), at(peer)];
      if (b === undefined || p === undefined) continue;
      const ratio = b.rps / p.rps;
      const byRound = roundRatios(b, p);
      const judged = byRound.length > 0 ? byRound : [ratio];
      const verdict = !Number.isFinite(ratio) ? 'not measured' : judged.every((r) => r < factor) ? '**no**' : judged.every((r) => r >= factor) ? 'yes' : 'unclear';
      out.push(`| ${connections} | ${bound} ÷ ${peer}, req/s | ${fmt(ratio, 2)}× | ${spread(byRound)} | ≥ ${factor}× | ${verdict} |`);
    }
  }
  if (out.length === 0) return [];
  return [
    '',
    '### Room for the req/s targets',
    '',
    "The most a server on Yoga (`yoga-floor`: Yoga with the floor's page instead of execution) or any server (`floor`) answers, ÷ the target's peer: **no** when every round is below the target's factor (no such server meets the target on this run), unclear when the rounds straddle it. At one connection req/s is set by the providers' latency more than by CPU, so those rows bound little.",
    '',
    '| conns | bound | measured | by round (min–max) | needed | room |',
    '|---:|---|---:|---:|---|---|',
    ...out,
  ];
}

export function targetNotes(rows: readonly Row[]): string[] {
  const measured = new Set(rows.map((r) => r.target));
  return ['', '### Targets', '', ...TARGETS.filter((t) => measured.has(t.name)).map((t) => `- \`${t.name}\` (${t.kind}${t.versus ? `; peers: ${t.versus.join(', ')}` : ''}): ${t.note}`)];
}

export interface Revision {
  readonly commit: string;
  /** Files changed against the commit when the bench ran (git status --porcelain lines). */
  readonly uncommitted: number;
}

export function revision(): Revision {
  try {
    const commit = execFileSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();
    const status = execFileSync('git', ['status', '--porcelain'], { encoding: 'utf8' });
    return { commit, uncommitted: status.split('\n').filter(Boolean).length };
  } catch {
    return { commit: 'unknown', uncommitted: 0 };
  }
}

function notesSection(notes: readonly ScenarioNote[]): string {
  return upstreamNotes(notes.map((n) => ({ target: n.target, scenario: n.scenario, upstreamCalls: n.calibration.byProvider, problems: n.calibration.problems })));
}

export interface UpstreamNote {
  readonly target: string;
  readonly scenario: string;
  readonly upstreamCalls: Readonly<Record<string, number>>;
  readonly problems: readonly string[];
}

export function upstreamNotes(notes: readonly UpstreamNote[]): string {
  const lines = ['', '### Upstream calls per request (calibration) and answer checks', ''];
  for (const n of notes) {
    const calls = Object.entries(n.upstreamCalls)
      .map(([k, v]) => `${k} ×${v.toFixed(2)}`)
      .join(', ');
    const problems = n.problems.length > 0 ? ` **PROBLEMS:** ${n.problems.join(' | ')}` : '';
    lines.push(`- ${n.target} / ${n.scenario}: ${calls || 'none'}${problems}`);
  }
  return lines.join('\n');
}

/** The demo environment's outbound token bucket per provider (src/dev/demo-env.ts), kept with BENCH_KEEP_OUTBOUND_LIMITS=1. */
const OUTBOUND_BUCKET_PER_SECOND = 5000;

/** Rows where some provider was called at ≥ 90 % of its outbound bucket rate: throughput capped by the bucket, not by CPU. */
function bucketWarnings(rows: readonly Row[], notes: readonly ScenarioNote[], options: BenchOptions): string[] {
  const out: string[] = [];
  for (const r of rows) {
    const limited = options.keepOutboundLimits && r.target.startsWith('ours-');
    const note = notes.find((n) => n.target === r.target && n.scenario === r.scenario);
    if (!limited || !note) continue;
    const perProvider = new Map<string, number>();
    for (const [key, perRequest] of Object.entries(note.calibration.byProvider)) {
      const provider = key.split(' ')[0] ?? key;
      perProvider.set(provider, (perProvider.get(provider) ?? 0) + perRequest);
    }
    for (const [provider, perRequest] of perProvider) {
      const rate = perRequest * r.rps;
      if (provider !== 'auth' && rate >= 0.9 * OUTBOUND_BUCKET_PER_SECOND) {
        out.push(`- ${r.target} / ${r.scenario} / ${r.connections} conns: ${provider} called ${rate.toFixed(0)}/s, at the config's outbound bucket (${OUTBOUND_BUCKET_PER_SECOND}/s): capped by the bucket, not by CPU.`);
      }
    }
  }
  return out.length > 0 ? ['', '### Rows capped by the outbound token buckets', '', ...out] : [];
}

/** The settings line of a run: machine, lengths, pinning, node/V8 settings. */
export function settingsLine(m: Machine, options: BenchOptions, startLoad: number): string {
  return (
    `${m.cpus} × ${m.model}, Node ${m.node}, ${m.date}; 1-min load average ${startLoad.toFixed(1)} at start, ${m.loadAverage.toFixed(1)} at end. Providers add ${options.latencyMs} ms; ` +
    `${options.warmupS} s warm-up + ${options.durationS} s measured per cell, in ${options.rounds} slices taken in turn with the other targets of the scenario; targets ${options.pin ? 'pinned to core 0 (taskset), load generator + providers on the others' : 'NOT pinned'}. ` +
    `${nodeSettingsLine(options)} ` +
    'Ratios against yoga-plain in the same run (fixed-json against yoga-plain order-page), against each ours-* target\'s peers (same scenario and connections; raw-node-http: its fixed-json) and against the floor (order page). CPU and peak RSS from /proc of the target process tree.'
  );
}

/** BENCH_* variables set for the run (how to repeat it). */
function benchEnv(): Record<string, string> {
  return Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => e[0].startsWith('BENCH_') && e[1] !== undefined));
}

/** `rev`: the code measured, read when the run started (files edited during a long run are not in it). */
export function writeReport(rows: readonly Row[], notes: readonly ScenarioNote[], options: BenchOptions, extra: string[], startLoad: number, elapsedS: number, rev: Revision = revision()): string {
  const m = machine();
  const settings = settingsLine(m, options, startLoad);
  const markdown = [
    `## Benchmark (${m.date})`,
    '',
    `Commit ${rev.commit}${rev.uncommitted > 0 ? ` + ${rev.uncommitted} uncommitted file(s)` : ''}. ${settings}`,
    '',
    markdownTable(rows),
    ...(peerTable(rows).length > 0 ? ['', '### ours-* against their peers and the floor', '', ...peerTable(rows)] : []),
    ...targetsSection(rows),
    ...bucketWarnings(rows, notes, options),
    ...targetNotes(rows),
    notesSection(notes),
    ...extra,
  ].join('\n');
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(`${RESULTS_DIR}/latest.md`, `${markdown}\n`);
  const json = {
    machine: m,
    revision: rev,
    elapsedS,
    startLoadAverage: startLoad,
    env: benchEnv(),
    settingsLine: settings,
    settings: {
      latencyMs: options.latencyMs,
      warmupS: options.warmupS,
      durationS: options.durationS,
      rounds: options.rounds,
      connections: options.connections,
      pinned: options.pin,
      peerNodeDefaults: options.peerNodeDefaults,
      providerMemo: options.providerMemo,
    },
    rows: rows.map((r) => ({
      ...r,
      ratioRpsVsYogaPlain: ratios(rows, r).rps ?? null,
      ratioCpuVsYogaPlain: ratios(rows, r).cpu ?? null,
      vsPeers: peerRatios(rows, r),
      vsFloor: floorRatio(rows, r) ?? null,
    })),
    notes: notes.map((n) => ({ target: n.target, scenario: n.scenario, upstreamCalls: n.calibration.byProvider, problems: n.calibration.problems })),
  };
  writeFileSync(`${RESULTS_DIR}/latest.json`, `${JSON.stringify(json, null, 2)}\n`);
  return markdown;
}
