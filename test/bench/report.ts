// The results: one markdown table (stdout and results/latest.md) and the JSON record
// (results/latest.json), with ratios against yoga-plain measured in the same run.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import type { Row, ScenarioNote } from './matrix';
import type { BenchOptions } from './options';

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

export function markdownTable(rows: readonly Row[]): string {
  const header =
    '| target | scenario | conns | req/s | × yoga-plain | p50 ms | p99 ms | CPU ms/req | CPU × yoga-plain | peak RSS MB | upstream req/req | op sent as | non-2xx / with errors / socket errors |\n' +
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|';
  const lines = rows.map((r) => {
    const ratio = ratios(rows, r);
    return `| ${r.target} | ${r.scenario} | ${r.connections} | ${fmt(r.rps, 0)} | ${fmt(ratio.rps, 2)} | ${fmt(r.p50Ms, 2)} | ${fmt(r.p99Ms, 2)} | ${fmt(r.cpuMsPerRequest, 3)} | ${fmt(ratio.cpu, 2)} | ${fmt(r.peakRssMb, 0)} | ${fmt(r.upstreamRequestsPerRequest, 2)} | ${r.sentAs} | ${r.non2xx} / ${r.graphqlErrors}${codes(r)} / ${r.errors} |`;
  });
  return [header, ...lines].join('\n');
}

function notesSection(notes: readonly ScenarioNote[]): string {
  const lines = ['', '### Upstream calls per request (calibration) and answer checks', ''];
  for (const n of notes) {
    const calls = Object.entries(n.calibration.byProvider)
      .map(([k, v]) => `${k} ×${v.toFixed(2)}`)
      .join(', ');
    const problems = n.calibration.problems.length > 0 ? ` **PROBLEMS:** ${n.calibration.problems.join(' | ')}` : '';
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

export function writeReport(rows: readonly Row[], notes: readonly ScenarioNote[], options: BenchOptions, extra: string[], startLoad: number): string {
  const m = machine();
  const settings =
    `${m.cpus} × ${m.model}, Node ${m.node}, ${m.date}; 1-min load average ${startLoad.toFixed(1)} at start, ${m.loadAverage.toFixed(1)} at end. Providers add ${options.latencyMs} ms; ` +
    `${options.warmupS} s warm-up + ${options.durationS} s measured per cell, in ${options.rounds} slices taken in turn with the other targets of the scenario; targets ${options.pin ? 'pinned to core 0 (taskset), load generator + providers on the others' : 'NOT pinned'}. ` +
    'Ratios against yoga-plain in the same run (fixed-json against yoga-plain order-page). CPU and peak RSS from /proc of the target process tree.';
  const markdown = [`## Benchmark (${m.date})`, '', settings, '', markdownTable(rows), ...bucketWarnings(rows, notes, options), notesSection(notes), ...extra].join('\n');
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(`${RESULTS_DIR}/latest.md`, `${markdown}\n`);
  const json = {
    machine: m,
    settings: { latencyMs: options.latencyMs, warmupS: options.warmupS, durationS: options.durationS, rounds: options.rounds, pinned: options.pin },
    rows: rows.map((r) => ({ ...r, ratioRpsVsYogaPlain: ratios(rows, r).rps ?? null, ratioCpuVsYogaPlain: ratios(rows, r).cpu ?? null })),
    notes: notes.map((n) => ({ target: n.target, scenario: n.scenario, upstreamCalls: n.calibration.byProvider, problems: n.calibration.problems })),
  };
  writeFileSync(`${RESULTS_DIR}/latest.json`, `${JSON.stringify(json, null, 2)}\n`);
  return markdown;
}
