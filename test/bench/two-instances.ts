// `npm run bench -- --two-instances`: one ours-standalone instance alone without Redis, the same on
// Redis, then two behind a round robin (connections split between them) sharing one Redis (REDIS_URL),
// both pinned to the same core as the single one; every shared feature on (inbound request, burst and
// cost budgets, response cache, the outbound buckets and OAuth token). Reports throughput, latency,
// CPU per request, and what went through Redis (commands and keys added), then the issue 26 targets
// (Redis commands/req ≤ 1.5, CPU/req with Redis ≤ 1.3× without); then the shared-state checks
// (shared-state.ts): rate limits and budgets, response cache, outbound throttle and OAuth token.
// Writes results/two-instances.md and two-instances.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import type { Redis } from 'ioredis';
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
import { MANY_CALLERS_ENV, manyCallers } from './many-callers';

const SCENARIOS: readonly ScenarioName[] = ['order-page', 'catalogue-cached'];
const CONNECTIONS = 50;
/** Issue 26's targets with every shared feature on. */
const MAX_REDIS_COMMANDS_PER_REQUEST = 1.5;
const MAX_CPU_RATIO = 1.3;
const NO_REDIS = 'one instance, no Redis';
const TWO_NO_REDIS = 'two instances, no Redis';
/** One caller with limits at 1e9 (leases at their best), then many callers under the default limits (many-callers.ts). */
const TRAFFIC = ['one caller', 'many callers'] as const;
type Traffic = (typeof TRAFFIC)[number];

interface ThroughputRow {
  readonly setup: string;
  readonly scenario: ScenarioName;
  readonly traffic: string;
  readonly rps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly cpuMsPerRequest: number;
  readonly peakRssMb: number;
  readonly upstreamPerRequest: number;
  readonly redisCommandsPerRequest: number | undefined;
  /** EVALSHA/EVAL calls per request: round trips that run a script (budget and bucket leases, cache writes). */
  readonly redisScriptsPerRequest: number | undefined;
  /** The inbound budgets' lease scripts per request (each runs TIME once; 4 commands, 3 when nothing is granted). */
  readonly budgetScriptsPerRequest: number | undefined;
  /** extensions.code of GraphQL errors, counted. */
  readonly errorCodes: Readonly<Record<string, number>>;
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
    '| setup | scenario | traffic | req/s | p50 ms | p99 ms | CPU ms/req (all instances) | peak RSS MB (sum) | upstream req/req | Redis commands/req | Redis scripts/req | of which budget leases/req | Redis keys added | non-2xx / with GraphQL errors / socket errors | answers per instance |',
    '|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|',
    ...rows.map(
      (r) =>
        `| ${r.setup} | ${r.scenario} | ${r.traffic} | ${fmt(r.rps, 0)} | ${fmt(r.p50Ms, 2)} | ${fmt(r.p99Ms, 2)} | ${fmt(r.cpuMsPerRequest, 3)} | ${fmt(r.peakRssMb, 0)} | ${fmt(r.upstreamPerRequest, 2)} | ${fmt(r.redisCommandsPerRequest, 2)} | ${fmt(r.redisScriptsPerRequest, 2)} | ${fmt(r.budgetScriptsPerRequest, 2)} | ${r.redisKeysAdded ?? '–'} | ${r.non2xx} / ${r.graphqlErrors} / ${r.socketErrors} | ${r.perInstance} |`,
    ),
    '',
    'Redis commands/req counts every command the server saw during the measured run (INFO commandstats, which also counts each command a Lua script runs), other clients included: run it on a quiet Redis. Redis scripts/req: EVALSHA/EVAL calls alone (one round trip each); of which budget leases: the inbound budget script, one per refill (counted by its TIME call). "one caller": one token, limits at 1e9, closed loop; "many callers": the default limits and a fixed overall rate (test/bench/many-callers.ts).',
  ].join('\n');
}

interface TargetRow {
  readonly scenario: ScenarioName;
  readonly traffic: string;
  readonly setup: string;
  readonly redisCommandsPerRequest: number | undefined;
  /** Against the same scenario on as many instances without Redis (what Redis costs). */
  readonly cpuRatio: number | undefined;
  /** Against the same scenario on one instance without Redis (what the first table compared). */
  readonly cpuRatioOneInstance: number | undefined;
  readonly pass: boolean;
}

/** Each Redis row against the same scenario's rows without Redis, in this run. */
function targetRows(rows: readonly ThroughputRow[]): TargetRow[] {
  const cpuOf = (setup: string, scenario: ScenarioName, traffic: string) => rows.find((b) => b.setup === setup && b.scenario === scenario && b.traffic === traffic)?.cpuMsPerRequest;
  return rows
    .filter((r) => r.redisCommandsPerRequest !== undefined)
    .map((r) => {
      const same = cpuOf(r.setup.startsWith('two') ? TWO_NO_REDIS : NO_REDIS, r.scenario, r.traffic);
      const one = cpuOf(NO_REDIS, r.scenario, r.traffic);
      const cpuRatio = same === undefined ? undefined : r.cpuMsPerRequest / same;
      const commands = r.redisCommandsPerRequest;
      return {
        scenario: r.scenario,
        traffic: r.traffic,
        setup: r.setup,
        redisCommandsPerRequest: commands,
        cpuRatio,
        cpuRatioOneInstance: one === undefined ? undefined : r.cpuMsPerRequest / one,
        pass: commands !== undefined && commands <= MAX_REDIS_COMMANDS_PER_REQUEST && cpuRatio !== undefined && cpuRatio <= MAX_CPU_RATIO,
      };
    });
}

function targetsMarkdown(targets: readonly TargetRow[]): string {
  if (targets.length === 0) return '## Issue 26 targets\n\nNot measured (no Redis).';
  return [
    `## Issue 26 targets: Redis commands/req ≤ ${MAX_REDIS_COMMANDS_PER_REQUEST}, CPU/req ≤ ${MAX_CPU_RATIO}× the same scenario on as many instances without Redis (same run)`,
    '',
    '| setup | scenario | traffic | Redis commands/req | CPU/req vs as many instances, no Redis | CPU/req vs one instance, no Redis | result |',
    '|---|---|---|---:|---:|---:|---|',
    ...targets.map(
      (t) => `| ${t.setup} | ${t.scenario} | ${t.traffic} | ${fmt(t.redisCommandsPerRequest, 2)} | ${fmt(t.cpuRatio, 2)}× | ${fmt(t.cpuRatioOneInstance, 2)}× | **${t.pass ? 'pass' : 'FAIL'}** |`,
    ),
    '',
    'CPU is every instance\'s user+system time over the measured window on a shared 2-core VM: figures move by ±10–20 % between runs.',
  ].join('\n');
}

interface Setup {
  readonly label: string;
  readonly count: number;
  readonly redisUrl: string | undefined;
}

/** One setup's instances under one kind of traffic, every scenario in turn. */
async function measureSetup(ctx: MatrixContext, setup: Setup, traffic: Traffic, keyPrefix: string, redis: Redis | undefined): Promise<ThroughputRow[]> {
  const { upstreams, options, log } = ctx;
  const rows: ThroughputRow[] = [];
  const children: ChildHandle[] = [];
  const trafficEnv = traffic === 'many callers' ? MANY_CALLERS_ENV : {};
  try {
    for (let i = 0; i < setup.count; i++) {
      const redisEnv: Record<string, string> = setup.redisUrl ? { REDIS_KEY_PREFIX: `${keyPrefix}throughput-${setup.count}-${traffic === 'many callers' ? 'many' : 'one'}:` } : {};
      // The outbound buckets stay on (the demo's 5,000/s per provider, leased from Redis in 50s), as does every budget.
      children.push(
        await startTarget('ours-cache-hit', {
          upstreams,
          options: { ...options, keepOutboundLimits: true },
          label: `instance-${i + 1}`,
          ...(setup.redisUrl ? { redisUrl: setup.redisUrl } : {}),
          env: { ...trafficEnv, ...redisEnv },
        }),
      );
    }
    const origins = children.map((c) => new URL(c.url).origin);
    const path = new URL(children[0]?.url ?? 'http://x/api/graphql').pathname;
    for (const scenario of SCENARIOS) {
      const base = requestFor(scenario, { endpointPath: path, token: ctx.token, persisted: ctx.persisted, byHash: true });
      const many = traffic === 'many callers' ? await manyCallers(scenario, base) : undefined;
      if (traffic === 'many callers' && many === undefined) continue;
      const spec = many?.spec ?? base;
      // Sequential and before the load (nothing in flight): one answer from the first instance, then
      // the instances in turn; with a shared cache the second instance hits what the first stored.
      await calibrate(upstreams, origins.slice(0, 1), base, 1, true);
      const calibration = await calibrate(upstreams, origins, base, options.calibrationRequests, true);
      for (const problem of calibration.problems) log(`  ! ${setup.label} ${scenario}: ${problem}`);
      const load = { origins, spec, connections: CONNECTIONS, ...(many ? { rate: many.rate } : {}) };
      await runLoad({ ...load, durationS: options.warmupS });
      for (const c of children) resetPeakRss(c.pid);
      const before = await redisCounters(setup.redisUrl ? redis : undefined);
      const cpuBefore = children.map((c) => cpuMs(c.pid));
      const result = await runLoad({ ...load, durationS: options.durationS });
      const cpu = children.reduce((sum, c, i) => sum + cpuMs(c.pid) - (cpuBefore[i] ?? 0), 0);
      const after = await redisCounters(setup.redisUrl ? redis : undefined);
      const redisPerReq = before && after ? (after.commands - before.commands) / result.requests : undefined;
      rows.push({
        setup: setup.label,
        scenario,
        traffic: many ? `many callers (${many.label})` : traffic,
        rps: result.rps,
        p50Ms: result.p50Ms,
        p99Ms: result.p99Ms,
        cpuMsPerRequest: cpu / result.requests,
        peakRssMb: children.reduce((s, c) => s + peakRssMb(c.pid), 0),
        upstreamPerRequest: calibration.upstreamPerRequest,
        redisCommandsPerRequest: redisPerReq,
        redisScriptsPerRequest: before && after ? (after.scripts - before.scripts) / result.requests : undefined,
        budgetScriptsPerRequest: before && after ? (after.budgetScripts - before.budgetScripts) / result.requests : undefined,
        errorCodes: result.errorCodes,
        redisKeysAdded: before && after ? after.keys - before.keys : undefined,
        non2xx: result.non2xx,
        graphqlErrors: result.graphqlErrors,
        socketErrors: result.errors,
        perInstance: children.length > 1 ? 'split by connection (25 / 25)' : 'all',
      });
      log(`  ${setup.label} ${scenario} (${traffic}): ${fmt(result.rps, 0)} req/s, Redis ${fmt(redisPerReq, 2)} commands/req, ${result.non2xx} non-2xx`);
    }
  } finally {
    await Promise.all(children.map((c) => c.stop()));
  }
  return rows;
}

export async function runTwoInstances(ctx: MatrixContext): Promise<string> {
  const { options, log } = ctx;
  const redis = await connectRedis(options.redisUrl);
  // This run's keys only: neither another run nor an earlier one is seen, and all are deleted at the end.
  const keyPrefix = `bench-${process.pid}-${Date.now().toString(36)}:`;
  log(redis ? `▶ two-instances: Redis at ${options.redisUrl}, key prefix ${keyPrefix}` : `▶ two-instances: Redis at ${options.redisUrl} NOT reachable; instances run without REDIS_URL`);
  const rows: ThroughputRow[] = [];
  let shared: SharedStateResult | undefined;
  const setups = [
    { label: NO_REDIS, count: 1, redisUrl: undefined },
    ...(redis ? [{ label: 'one instance, Redis', count: 1, redisUrl: options.redisUrl }] : []),
    { label: TWO_NO_REDIS, count: 2, redisUrl: undefined },
    ...(redis ? [{ label: 'two instances, shared Redis', count: 2, redisUrl: options.redisUrl }] : []),
  ];
  try {
    for (const setup of setups) {
      for (const traffic of TRAFFIC) rows.push(...(await measureSetup(ctx, setup, traffic, keyPrefix, redis)));
    }
    if (redis) shared = await runSharedState(ctx, redis, keyPrefix);
  } finally {
    if (redis) log(`  deleted ${await deletePrefix(redis, keyPrefix).catch(() => 0)} Redis keys under ${keyPrefix}`);
    redis?.disconnect();
  }
  const targets = targetRows(rows);
  for (const t of targets) log(`  ${t.pass ? 'pass' : 'FAIL'} ${t.setup} ${t.scenario} (${t.traffic}): Redis ${fmt(t.redisCommandsPerRequest, 2)} commands/req, CPU ${fmt(t.cpuRatio, 2)}× no Redis`);
  const markdown = [throughputMarkdown(rows, options.durationS), '', targetsMarkdown(targets), '', sharedStateMarkdown(shared, redis ? undefined : `Redis not reachable at ${options.redisUrl}`)].join('\n');
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(`${RESULTS_DIR}/two-instances.md`, `${markdown}\n`);
  const json = { machine: machine(), durationS: options.durationS, connections: CONNECTIONS, redisUrl: options.redisUrl, throughput: rows, targets, sharedState: shared ?? null };
  writeFileSync(`${RESULTS_DIR}/two-instances.json`, `${JSON.stringify(json, null, 2)}\n`);
  return markdown;
}
