// `npm run bench -- --two-instances`: one ours-standalone instance alone, then two behind a
// round robin (connections split between them) sharing one Redis (REDIS_URL), both pinned to the
// same core as the single one. Reports throughput, latency, CPU per request, and what went
// through Redis (commands and keys added), so that shared cache/rate-limit state can be seen at work.
import { Redis } from 'ioredis';
import { mkdirSync, writeFileSync } from 'node:fs';
import { calibrate } from './calibrate';
import type { ChildHandle } from './child';
import { runLoad } from './load';
import type { MatrixContext } from './matrix';
import { requestFor, type ScenarioName } from './operations';
import { cpuMs, peakRssMb, resetPeakRss } from './proc';
import { RESULTS_DIR } from './report';
import { startTarget } from './targets';

const SCENARIOS: readonly ScenarioName[] = ['order-page', 'catalogue-cached'];
const CONNECTIONS = 50;

interface RedisCounters {
  readonly commands: number;
  readonly keys: number;
}

async function redisCounters(redis: Redis | undefined): Promise<RedisCounters | undefined> {
  if (!redis) return undefined;
  const info = await redis.info('commandstats');
  let commands = 0;
  for (const match of info.matchAll(/^cmdstat_[^:]+:calls=(\d+)/gm)) commands += Number(match[1]);
  return { commands, keys: await redis.dbsize() };
}

async function connectRedis(url: string): Promise<Redis | undefined> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 2000, retryStrategy: () => null });
  try {
    await redis.connect();
    await redis.ping();
    return redis;
  } catch {
    redis.disconnect();
    return undefined;
  }
}

const fmt = (n: number | undefined, d = 1) => (n === undefined || !Number.isFinite(n) ? '–' : n.toFixed(d));

export async function runTwoInstances(ctx: MatrixContext): Promise<string> {
  const { upstreams, options, log } = ctx;
  const redis = await connectRedis(options.redisUrl);
  log(redis ? `▶ two-instances: Redis at ${options.redisUrl}` : `▶ two-instances: Redis at ${options.redisUrl} NOT reachable; instances run without REDIS_URL`);
  const lines = [
    `## Two instances (${CONNECTIONS} connections split round robin, ${options.durationS} s per cell, both instances pinned to the core the single one had)`,
    '',
    '| setup | scenario | req/s | p50 ms | p99 ms | CPU ms/req (all instances) | peak RSS MB (sum) | upstream req/req | Redis commands/req | Redis keys added | non-2xx / with GraphQL errors / socket errors | answers per instance |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|',
  ];
  const setups = [
    { label: 'one instance, no Redis', count: 1, redisUrl: undefined },
    { label: `two instances${redis ? ', shared Redis' : ''}`, count: 2, redisUrl: redis ? options.redisUrl : undefined },
  ];
  try {
    for (const setup of setups) {
      const children: ChildHandle[] = [];
      try {
        for (let i = 0; i < setup.count; i++) {
          children.push(
            await startTarget('ours-cache-hit', { upstreams, options, label: `instance-${i + 1}`, ...(setup.redisUrl ? { redisUrl: setup.redisUrl } : {}) }),
          );
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
          const keys = before && after ? after.keys - before.keys : undefined;
          const perInstance = children.length > 1 ? 'split by connection (25 / 25)' : 'all';
          lines.push(
            `| ${setup.label} | ${scenario} | ${fmt(result.rps, 0)} | ${fmt(result.p50Ms, 2)} | ${fmt(result.p99Ms, 2)} | ${fmt(cpu / result.requests, 3)} | ${fmt(children.reduce((s, c) => s + peakRssMb(c.pid), 0), 0)} | ${fmt(calibration.upstreamPerRequest, 2)} | ${fmt(redisPerReq, 2)} | ${keys ?? '–'} | ${result.non2xx} / ${result.graphqlErrors} / ${result.errors} | ${perInstance} |`,
          );
          log(`  ${setup.label} ${scenario}: ${fmt(result.rps, 0)} req/s, Redis ${fmt(redisPerReq, 2)} commands/req`);
        }
      } finally {
        await Promise.all(children.map((c) => c.stop()));
      }
    }
  } finally {
    redis?.disconnect();
  }
  lines.push(
    '',
    'Redis commands/req counts every command the server saw during the measured run (INFO commandstats), other clients included: run it on a quiet Redis.',
  );
  const markdown = lines.join('\n');
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(`${RESULTS_DIR}/two-instances.md`, `${markdown}\n`);
  return markdown;
}
