// `npm run bench -- --soak`: ours-standalone at a moderate fixed rate for up to 10 minutes, the
// scenarios in turn (30 s slices), sampling RSS, heap after GC and open sockets between slices.
// Growth from start to end is what matters: a leak shows as a steady climb, not as a high value.
import { mkdirSync, writeFileSync } from 'node:fs';
import { runLoad } from './load';
import type { MatrixContext } from './matrix';
import { requestFor, type ScenarioName } from './operations';
import { openSockets, rssMb } from './proc';
import { RESULTS_DIR } from './report';
import { startTarget } from './targets';

const SLICE_S = 30;
// Before the first sample every scenario runs flat out for a while: RSS is V8's high-water mark of
// pages (their peak under the most requests in flight), reached once. Without it the first slices
// climb to that mark (a step, not a slope) and read as growth. The idle RSS is reported too.
const WARM_UP_S = 10;
const WARM_UP_CONNECTIONS = 50;
const SOAK_SCENARIOS: readonly ScenarioName[] = ['order-page', 'single-entity', 'catalogue-cached', 'mutation'];
const CONNECTIONS = 16;

interface Sample {
  readonly atS: number;
  readonly scenario: string;
  readonly rps: number;
  readonly p99Ms: number;
  readonly non2xx: number;
  readonly rssMb: number;
  readonly heapUsedMb: number | undefined;
  readonly heapTotalMb: number | undefined;
  readonly externalMb: number | undefined;
  /** V8 heap spaces' resident sizes and V8's malloced memory (where RSS growth would show). */
  readonly spacesMb: Readonly<Record<string, number>> | undefined;
  readonly mallocedMb: number | undefined;
  readonly sockets: number;
  readonly handles: number | undefined;
}

const residentV8 = (s: Sample | undefined) => (s?.spacesMb === undefined ? undefined : Object.values(s.spacesMb).reduce((a, b) => a + b, 0));

const fmt = (n: number | undefined, d = 1) => (n === undefined || !Number.isFinite(n) ? '–' : n.toFixed(d));

export async function runSoak(ctx: MatrixContext): Promise<string> {
  const { upstreams, options, log } = ctx;
  const child = await startTarget('ours-standalone', { upstreams, options, nodeArgs: ['--expose-gc'] });
  const samples: Sample[] = [];
  const started = performance.now();
  const sample = async (scenario: string, rps: number, p99Ms: number, non2xx: number) => {
    const stats = await child.stats({ gc: true });
    const handles = stats ? Object.values(stats.activeResources).reduce((a, b) => a + b, 0) : undefined;
    samples.push({
      atS: (performance.now() - started) / 1000,
      scenario,
      rps,
      p99Ms,
      non2xx,
      rssMb: rssMb(child.pid),
      heapUsedMb: stats?.heapUsedMb,
      heapTotalMb: stats?.heapTotalMb,
      externalMb: stats?.externalMb,
      spacesMb: stats?.spacesMb,
      mallocedMb: stats?.mallocedMb,
      sockets: openSockets(child.pid),
      handles,
    });
  };
  try {
    const url = new URL(child.url);
    const slices = Math.max(1, Math.floor((options.soakMinutes * 60) / SLICE_S));
    log(`▶ soak: ours-standalone, ${options.soakRate} req/s, ${slices} × ${SLICE_S} s, after a warm-up of ${WARM_UP_S} s per scenario at ${WARM_UP_CONNECTIONS} connections`);
    await sample('idle', 0, Number.NaN, 0);
    for (const scenario of SOAK_SCENARIOS) {
      const spec = requestFor(scenario, { endpointPath: url.pathname, token: ctx.token, persisted: ctx.persisted, byHash: true });
      await runLoad({ origins: [url.origin], spec, connections: WARM_UP_CONNECTIONS, durationS: WARM_UP_S });
    }
    await sample('start (warmed)', 0, Number.NaN, 0);
    log(`  warmed: RSS ${fmt(samples[0]?.rssMb)} → ${fmt(samples[1]?.rssMb)} MB`);
    for (let i = 0; i < slices; i++) {
      const scenario = SOAK_SCENARIOS[i % SOAK_SCENARIOS.length] ?? 'order-page';
      const spec = requestFor(scenario, { endpointPath: url.pathname, token: ctx.token, persisted: ctx.persisted, byHash: true });
      const result = await runLoad({ origins: [url.origin], spec, connections: CONNECTIONS, durationS: SLICE_S, rate: options.soakRate });
      await sample(scenario, result.rps, result.p99Ms, result.non2xx + result.errors + result.graphqlErrors);
      const last = samples.at(-1);
      log(`  ${fmt(last?.atS, 0)} s ${scenario}: ${fmt(result.rps, 0)} req/s, p99 ${fmt(result.p99Ms, 2)} ms, RSS ${fmt(last?.rssMb)} MB (V8 spaces ${fmt(residentV8(last))}, malloced ${fmt(last?.mallocedMb)}), heap ${fmt(last?.heapUsedMb)} MB, sockets ${last?.sockets}`);
    }
  } finally {
    await child.stop();
  }
  const idle = samples[0];
  const first = samples[1];
  const last = samples.at(-1);
  const growth = first && last ? (100 * (last.rssMb - first.rssMb)) / first.rssMb : Number.NaN;
  const lines = [
    `## Soak: ours-standalone, ${options.soakRate} req/s fixed rate, ${CONNECTIONS} connections, ${fmt(last?.atS, 0)} s`,
    '',
    '| t s | slice | req/s | p99 ms | failed answers | RSS MB | V8 spaces resident MB | V8 malloced MB | heap used MB (after GC) | heap total MB | external MB | open sockets | active handles |',
    '|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...samples.map(
      (s) =>
        `| ${fmt(s.atS, 0)} | ${s.scenario} | ${fmt(s.rps, 0)} | ${fmt(s.p99Ms, 2)} | ${s.non2xx} | ${fmt(s.rssMb)} | ${fmt(residentV8(s))} | ${fmt(s.mallocedMb)} | ${fmt(s.heapUsedMb)} | ${fmt(s.heapTotalMb)} | ${fmt(s.externalMb)} | ${s.sockets} | ${s.handles ?? '–'} |`,
    ),
    '',
    first && last
      ? `Start (warmed) → end: RSS ${fmt(first.rssMb)} → ${fmt(last.rssMb)} MB (${growth >= 0 ? '+' : ''}${fmt(growth)} %), heap ${fmt(first.heapUsedMb)} → ${fmt(last.heapUsedMb)} MB, sockets ${first.sockets} → ${last.sockets}. Idle before the warm-up: RSS ${fmt(idle?.rssMb)} MB.`
      : 'No samples.',
  ];
  const markdown = lines.join('\n');
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(`${RESULTS_DIR}/soak.md`, `${markdown}\n`);
  writeFileSync(`${RESULTS_DIR}/soak.json`, `${JSON.stringify({ rate: options.soakRate, connections: CONNECTIONS, warmUp: { seconds: WARM_UP_S, connections: WARM_UP_CONNECTIONS }, rssGrowthPercent: growth, samples }, null, 2)}\n`);
  return markdown;
}
