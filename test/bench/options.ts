// The benchmark's knobs, read once: BENCH_* environment variables and `npm run bench -- <flags>`.
import { cpus } from 'node:os';

export type BenchMode = 'matrix' | 'soak' | 'two-instances';

export interface BenchOptions {
  readonly mode: BenchMode;
  /** Measured seconds per cell (BENCH_DURATION). @default 8 */
  readonly durationS: number;
  /** Slices each cell's measured seconds are cut into, interleaved with the other targets' (BENCH_ROUNDS; matrix.ts says why). @default 4 */
  readonly rounds: number;
  /** Warm-up seconds before the first cell of a child; later cells of the same child warm for a third of it (BENCH_WARMUP). @default 3 */
  readonly warmupS: number;
  /** Only these targets (BENCH_TARGETS=a,b); all when undefined. */
  readonly targets: ReadonlySet<string> | undefined;
  /** Only these scenarios (BENCH_SCENARIOS=a,b); all when undefined. */
  readonly scenarios: ReadonlySet<string> | undefined;
  /** Connection counts measured per target × scenario (BENCH_CONNECTIONS). @default [50, 1] */
  readonly connections: readonly number[];
  /** Latency every simulated provider adds (BENCH_LATENCY_MS). @default 2 */
  readonly latencyMs: number;
  /** Extra latency of the reviews provider in the `order-page-deferred` scenario (BENCH_SLOW_REVIEWS_MS), the part the page defers. @default 50 */
  readonly slowReviewsMs: number;
  /** Sequential requests sent with provider recording on, to count upstream calls and check answers. @default 20 */
  readonly calibrationRequests: number;
  /** Pin targets to core 0 and this process to the others (BENCH_PIN=0 turns it off). @default true when 2+ cores and taskset exist */
  readonly pin: boolean;
  /** Stop (SIGSTOP) every other target while one is measured (BENCH_FREEZE_IDLE=0 turns it off; matrix.ts says why). @default true */
  readonly freezeIdle: boolean;
  /** `--cpu-prof`: write V8 CPU profiles of the ours-standalone and ours-next children and summarise them. */
  readonly cpuProf: boolean;
  /** Soak length in minutes (BENCH_SOAK_MINUTES, bounded to 10). @default 10 */
  readonly soakMinutes: number;
  /** Soak request rate, requests per second (BENCH_SOAK_RATE). @default 100 */
  readonly soakRate: number;
  /** Extra env for every gateway child, `K=V,K=V` (BENCH_GATEWAY_ENV), for settings the bench does not know yet. */
  readonly gatewayEnv: Readonly<Record<string, string>>;
  /** Extra env of the `ours-variant` target only, `K=V,K=V` (BENCH_VARIANT_ENV); without it that target is not run. */
  readonly variantEnv: Readonly<Record<string, string>> | undefined;
  /** Extra node/V8 flags of the `ours-variant` target (BENCH_VARIANT_NODE_ARGS, space-separated); also turns that target on. @default [] */
  readonly variantNodeArgs: readonly string[];
  /** Keep the config's outbound token buckets in ours-standalone (BENCH_KEEP_OUTBOUND_LIMITS=1). @default false */
  readonly keepOutboundLimits: boolean;
  /**
   * The simulated GraphQL providers send a kept answer again for a repeated request
   * (src/dev/upstreams/graphql-server.ts says why); BENCH_PROVIDER_MEMO=0 makes them execute every one. @default true
   */
  readonly providerMemo: boolean;
  /** Peers, floor and raw on node's default V8 settings instead of ours' (BENCH_PEER_NODE_DEFAULTS=1). @default false */
  readonly peerNodeDefaults: boolean;
  /** REDIS_URL for two-instances (BENCH_REDIS_URL). @default 'redis://127.0.0.1:6379' */
  readonly redisUrl: string;
}

function list(value: string | undefined): ReadonlySet<string> | undefined {
  const items = (value ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  return items.length > 0 ? new Set(items) : undefined;
}

function positive(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name}: expected a positive number, got "${value}"`);
  return n;
}

function pairs(name: string, value: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of (value ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new Error(`${name}: expected K=V pairs, got "${item}"`);
    out[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return out;
}

export function readOptions(argv: readonly string[], env: Readonly<Record<string, string | undefined>>, hasTaskset: boolean): BenchOptions {
  const mode: BenchMode = argv.includes('--soak') ? 'soak' : argv.includes('--two-instances') ? 'two-instances' : 'matrix';
  const connections = [...(list(env['BENCH_CONNECTIONS']) ?? ['50', '1'])].map((c) => positive('BENCH_CONNECTIONS', c, 1));
  return {
    mode,
    durationS: positive('BENCH_DURATION', env['BENCH_DURATION'], 8),
    rounds: Math.round(positive('BENCH_ROUNDS', env['BENCH_ROUNDS'], 4)),
    warmupS: positive('BENCH_WARMUP', env['BENCH_WARMUP'], 3),
    targets: list(env['BENCH_TARGETS']),
    scenarios: list(env['BENCH_SCENARIOS']),
    connections,
    latencyMs: positive('BENCH_LATENCY_MS', env['BENCH_LATENCY_MS'], 2),
    slowReviewsMs: Math.min(10_000, positive('BENCH_SLOW_REVIEWS_MS', env['BENCH_SLOW_REVIEWS_MS'], 50)),
    calibrationRequests: Math.round(positive('BENCH_CALIBRATION', env['BENCH_CALIBRATION'], 20)),
    pin: env['BENCH_PIN'] !== '0' && hasTaskset && cpus().length >= 2,
    freezeIdle: env['BENCH_FREEZE_IDLE'] !== '0',
    cpuProf: argv.includes('--cpu-prof'),
    soakMinutes: Math.min(10, positive('BENCH_SOAK_MINUTES', env['BENCH_SOAK_MINUTES'], 10)),
    soakRate: positive('BENCH_SOAK_RATE', env['BENCH_SOAK_RATE'], 100),
    gatewayEnv: pairs('BENCH_GATEWAY_ENV', env['BENCH_GATEWAY_ENV']),
    variantEnv: env['BENCH_VARIANT_ENV'] || env['BENCH_VARIANT_NODE_ARGS'] ? pairs('BENCH_VARIANT_ENV', env['BENCH_VARIANT_ENV']) : undefined,
    variantNodeArgs: (env['BENCH_VARIANT_NODE_ARGS'] ?? '').split(' ').filter(Boolean),
    keepOutboundLimits: env['BENCH_KEEP_OUTBOUND_LIMITS'] === '1',
    providerMemo: env['BENCH_PROVIDER_MEMO'] !== '0',
    peerNodeDefaults: env['BENCH_PEER_NODE_DEFAULTS'] === '1',
    redisUrl: env['BENCH_REDIS_URL'] ?? 'redis://127.0.0.1:6379',
  };
}
