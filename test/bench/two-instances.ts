// `npm run bench -- --two-instances`: one ours-standalone instance alone, then two behind a
// round robin (connections split between them) sharing one Redis (REDIS_URL), both pinned to the
// same core as the single one. Reports throughput, latency, CPU per request, and what went
// through Redis (commands and keys added); then the shared-state checks (shared-state.ts): rate
// limits and budgets, response cache, outbound throttle and OAuth token shared through that Redis.
// Writes results/two-instances.md and two-instances.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import { calibrate } from './calibrate';
import type { ChildHandle } from './child';
import { runLoad } from './load';
import type { MatrixContext } from './matrix';
import { requestFor, type ScenarioName } from './operations';
import { cpuMs, peakRssMb, resetPeakRss } from './proc';
import { connectRedis, deletePrefix, redisCounters } from './redis-probe';
import { machine, RESULTS_DIR } from './report';
import { runSharedState, sharedStateMarkdown, type SharedStateResult } from './shared-state';
import { startTarget } from './targets';

const SCENARIOS: readonly ScenarioName[] = ['order-page', 'catalogue-cached'];
const CONNECTIONS = 50;

interface ThroughputRow {
  readonly setup: string;
  readonly scenario: ScenarioName;
  readonly rps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly cpuMsPerRequest: number;
  readonly peakRssMb: number;
  readonly upstreamPerRequest: number;
  readonly redisCommandsPerRequest: number | undefined;
  readonly redisKeysAdded: number | undefined;
  readonly non2xx: number;
  readonly graphqlErrors: number;
  readonly socketErrors: number;
  readonly perInstance: string;
}

const fmt = (n: number | undefined, d = 1) => (n === undefined || !Number.isFinite(n) ? '–' : n.toFixed(d));

function throughputMarkdown(rows: readonly ThroughputRow[], durationS: number): string {
  return [
    `## Two instances (${CONNECTIONS} connections split round robin, ${durationS} s per cell, both instances pinned to the core the single one had)`,
    '',
    '| setup | scenario | req/s | p50 ms | p99 ms | CPU ms/req (all instances) | peak RSS MB (sum) | upstream req/req | Redis commands/req | Redis keys added | non-2xx / with GraphQL errors / socket errors | answers per instance |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|',
    ...rows.map(
      (r) =>
        `| ${r.setup} | ${r.scenario} | ${fmt(r.rps, 0)} | ${fmt(r.p50Ms, 2)} | ${fmt(r.p99Ms, 2)} | ${fmt(r.cpuMsPerRequest, 3)} | ${fmt(r.peakRssMb, 0)} | ${fmt(r.upstreamPerRequest, 2)} | ${fmt(r.redisCommandsPerRequest, 2)} | ${r.redisKeysAdded ?? '–'} | ${r.non2xx} / ${r.graphqlErrors} / ${r.socketErrors} | ${r.perInstance} |`,
    ),
    '',
    'Redis commands/req counts every command the server saw during the measured run (INFO commandstats), other clients included: run it on a quiet Redis.',
  ].join('\n');
}

export async function runTwoInstances(ctx: MatrixContext): Promise<string> {
  const { upstreams, options, log } = ctx;
  const redis = await connectRedis(options.redisUrl);
  // This run's keys only: neither another run nor an earlier one is seen, and all are deleted at the end.
  const keyPrefix = `bench-${process.pid}-${Date.now().toString(36)}:`;
  log(redis ? `▶ two-instances: Redis at ${options.redisUrl}, key prefix ${keyPrefix}` : `▶ two-instances: Redis at ${options.redisUrl} NOT reachable; instances run without REDIS_URL`);
  const rows: ThroughputRow[] = [];
  let shared: SharedStateResult | undefined;
  const setups = [
    { label: 'one instance, no Redis', count: 1, redisUrl: undefined },
    { label: `two instances${redis ? ', shared Redis' : ''}`, count: 2, redisUrl: redis ? options.redisUrl : undefined },
  ];
  try {
    for (const setup of setups) {
      const children: ChildHandle[] = [];
      try {
        for (let i = 0; i < setup.count; i++) {
          const redisStart = setup.redisUrl ? { redisUrl: setup.redisUrl, env: { REDIS_KEY_PREFIX: `${keyPrefix}throughput:` } } : {};
          children.push(await startTarget('ours-cache-hit', { upstreams, options, label: `instance-${i + 1}`, ...redisStart }));
        }
        const origins = children.map((c) => new URL(c.url).origin);
        const path = new URL(children[0]?.url ?? 'http://x/api/graphql').pathname;
        for (const scenario of SCENARIOS) {
          const spec = requestFor(scenario, { endpointPath: path, token: ctx.token, persisted: ctx.persisted, byHash: true });
          // Sequential and before the load (nothing in flight): one answer from the first instance, then
          // the instances in turn; with a shared cache the second instance hits what the first stored.
          await calibrate(upstreams, origins.slice(0, 1), spec, 1, true);
          const calibration = await calibrate(upstreams, origins, spec, options.calibrationRequests, true);
          for (const problem of calibration.problems) log(`  ! ${setup.label} ${scenario}: ${problem}`);
          await runLoad({ origins, spec, connections: CONNECTIONS, durationS: options.warmupS });
          for (const c of children) resetPeakRss(c.pid);
          const before = await redisCounters(setup.redisUrl ? redis : undefined);
          const cpuBefore = children.map((c) => cpuMs(c.pid));
          const result = await runLoad({ origins, spec, connections: CONNECTIONS, durationS: options.durationS });
          const cpu = children.reduce((sum, c, i) => sum + cpuMs(c.pid) - (cpuBefore[i] ?? 0), 0);
          const after = await redisCounters(setup.redisUrl ? redis : undefined);
          const redisPerReq = before && after ? (after.commands - before.commands) / result.requests : undefined;
          rows.push({
            setup: setup.label,
            scenario,
            rps: result.rps,
            p50Ms: result.p50Ms,
            p99Ms: result.p99Ms,
            cpuMsPerRequest: cpu / result.requests,
            peakRssMb: children.reduce((s, c) => s + peakRssMb(c.pid), 0),
            upstreamPerRequest: calibration.upstreamPerRequest,
            redisCommandsPerRequest: redisPerReq,
            redisKeysAdded: before && after ? after.keys - before.keys : undefined,
            non2xx: result.non2xx,
            graphqlErrors: result.graphqlErrors,
            socketErrors: result.errors,
            perInstance: children.length > 1 ? 'split by connection (25 / 25)' : 'all',
          });
          log(`  ${setup.label} ${scenario}: ${fmt(result.rps, 0)} req/s, Redis ${fmt(redisPerReq, 2)} commands/req`);
        }
      } finally {
        await Promise.all(children.map((c) => c.stop()));
      }
    }
    if (redis) shared = await runSharedState(ctx, redis, keyPrefix);
  } finally {
    if (redis) log(`  deleted ${await deletePrefix(redis, keyPrefix).catch(() => 0)} Redis keys under ${keyPrefix}`);
    redis?.disconnect();
  }
  const markdown = [throughputMarkdown(rows, options.durationS), '', sharedStateMarkdown(shared, redis ? undefined : `Redis not reachable at ${options.redisUrl}`)].join('\n');
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(`${RESULTS_DIR}/two-instances.md`, `${markdown}\n`);
  const json = { machine: machine(), durationS: options.durationS, connections: CONNECTIONS, redisUrl: options.redisUrl, throughput: rows, sharedState: shared ?? null };
  writeFileSync(`${RESULTS_DIR}/two-instances.json`, `${JSON.stringify(json, null, 2)}\n`);
  return markdown;
}
