// The servers under test: how each child is started, with which environment and node flags, and which
// scenarios it runs. Every gateway target gets the production pipeline (NODE_ENV=production, DEMO=1,
// allowlist enforced, logs at info to /dev/null) pointed at the bench's simulated providers.
import { envSchema } from '../../src/server/config';
import { demoEnv } from '../../src/dev/demo-env';
import { GATEWAY_NODE_ARGS, RUNTIME_V8_FLAGS } from '../../src/server/node-options';
import type { Upstreams } from '../../src/dev/upstreams';
import { ensureNextBuild, freePort } from '../helpers/processes';
import { startChild, type ChildHandle } from './child';
import { ensureNextRouteApp } from './next-route-app';
import type { ScenarioName } from './operations';
import type { BenchOptions } from './options';

export type TargetName =
  | 'ours-standalone'
  | 'ours-variant'
  | 'ours-next'
  | 'ours-next-custom'
  | 'ours-cache-hit'
  | 'yoga-plain'
  | 'yoga-jit'
  | 'yoga-guild'
  | 'yoga-next-route'
  | 'yoga-cache-hit'
  | 'apollo-server'
  | 'naive'
  | 'floor'
  | 'yoga-floor'
  | 'raw-node-http';

export interface Target {
  readonly name: TargetName;
  /**
   * ours: our gateway (allowlist, JWT); peer: same schema and provider clients (protections only where
   * the note says so); floor: the order page's unavoidable work without GraphQL; raw: no GraphQL, fixed answer.
   */
  readonly kind: 'ours' | 'peer' | 'floor' | 'raw';
  readonly scenarios: readonly ScenarioName[];
  /** Sends persisted operations by hash (APQ extension) rather than the document. @default kind === 'ours' */
  readonly byHash?: boolean;
  /** The peers an ours-* target competes with: the table gives its ratio to each (same scenario and connections; raw-node-http's fixed-json for any). */
  readonly versus?: readonly TargetName[];
  /** What the notes say about this target. */
  readonly note: string;
}

const GRAPHQL_SCENARIOS: readonly ScenarioName[] = ['order-page', 'single-entity', 'mutation', 'catalogue-cached'];

/** Started in this order; each scenario measures its targets in turn, in slices (matrix.ts). */
export const TARGETS: readonly Target[] = [
  { name: 'raw-node-http', kind: 'raw', scenarios: ['fixed-json'], note: 'node:http, fixed 1 KB JSON: the ceiling' },
  {
    name: 'floor',
    kind: 'floor',
    scenarios: ['order-page'],
    note: "node:http doing only the order page's unavoidable work: its 5 provider round trips through our provider clients over a bare undici dispatch (JSON.parse, checks, mapping), the answer assembled by hand and JSON.stringified (peers/floor.ts)",
  },
  {
    name: 'yoga-floor',
    kind: 'floor',
    scenarios: ['order-page'],
    note: "plain graphql-yoga whose execution is replaced by the floor's hand-built page (peers/yoga-floor.ts): Yoga's request path, envelop's phases and its serialisation around the floor's work, no field resolution; the least a server built on Yoga spends on this page",
  },
  { name: 'yoga-plain', kind: 'peer', scenarios: GRAPHQL_SCENARIOS, note: 'graphql-yoga + DataLoader, no plugins' },
  { name: 'yoga-jit', kind: 'peer', scenarios: GRAPHQL_SCENARIOS, note: 'graphql-yoga + DataLoader + @envelop/graphql-jit, no plugins' },
  {
    name: 'yoga-guild',
    kind: 'peer',
    byHash: true,
    scenarios: GRAPHQL_SCENARIOS,
    note: "graphql-yoga + DataLoader + graphql-jit + the Guild stack's protections: persisted operations by hash (same manifest), graphql-armor (ours' limits), a per-caller request budget (rate-limiter-flexible in onRequest), Prometheus (peers/yoga-plugins.ts)",
  },
  { name: 'apollo-server', kind: 'peer', scenarios: ['order-page'], note: 'Apollo Server 5 standalone + DataLoader' },
  { name: 'naive', kind: 'peer', scenarios: ['order-page'], note: 'graphql-yoga, N+1 resolvers' },
  {
    name: 'ours-standalone',
    kind: 'ours',
    scenarios: [...GRAPHQL_SCENARIOS, 'order-page-deferred'],
    versus: ['yoga-guild', 'yoga-jit'],
    note: 'our gateway on node:http, production pipeline, cache off',
  },
  {
    name: 'ours-variant',
    kind: 'ours',
    scenarios: GRAPHQL_SCENARIOS,
    versus: ['ours-standalone'],
    note: 'ours-standalone with BENCH_VARIANT_ENV / BENCH_VARIANT_NODE_ARGS on top: an A/B of a setting, interleaved in one run (only with one of them)',
  },
  {
    name: 'ours-cache-hit',
    kind: 'ours',
    scenarios: ['catalogue-cached'],
    versus: ['yoga-cache-hit', 'raw-node-http'],
    note: 'our gateway on node:http, response cache on and warm',
  },
  { name: 'yoga-cache-hit', kind: 'peer', scenarios: ['catalogue-cached'], note: 'graphql-yoga + graphql-jit + @graphql-yoga/plugin-response-cache (shared by every caller), warm' },
  { name: 'ours-next', kind: 'ours', scenarios: [...GRAPHQL_SCENARIOS, 'order-page-deferred'], versus: ['yoga-next-route'], note: 'our gateway under next start (Pages Router API route)' },
  {
    name: 'yoga-next-route',
    kind: 'peer',
    scenarios: GRAPHQL_SCENARIOS,
    note: "graphql-yoga + DataLoader + graphql-jit in a Next.js App Router route handler (Yoga's Next.js guide), next start; built in a scratch copy (next-route-app.ts)",
  },
  { name: 'ours-next-custom', kind: 'ours', scenarios: ['order-page', 'single-entity'], note: "our gateway in Next's custom-server mode (/api/graphql straight to Yoga)" },
];

/**
 * Node flags of every child. Ours: the production ones (src/server/node-options.ts, what `npm start`
 * sets; createGateway turns allocation-site pretenuring off at run time). Everyone else gets the same
 * V8 settings, pretenuring off on the command line (same state: node-options.ts), so that no peer is
 * measured on settings ours was tuned away from; BENCH_PEER_NODE_DEFAULTS=1 runs them on node's defaults.
 */
export function nodeArgsOf(target: TargetName, options: BenchOptions): string[] {
  if (target.startsWith('ours-')) return [...GATEWAY_NODE_ARGS];
  return options.peerNodeDefaults ? [] : [...GATEWAY_NODE_ARGS, ...RUNTIME_V8_FLAGS];
}

/** The node/V8 settings line of the report. */
export function nodeSettingsLine(options: BenchOptions): string {
  const flags = GATEWAY_NODE_ARGS.join(' ');
  return options.peerNodeDefaults
    ? `ours-* run with \`${flags}\` (allocation-site pretenuring off at run time); every other target on node's defaults (BENCH_PEER_NODE_DEFAULTS=1).`
    : `Every Node target (ours, peers, floor, raw) runs with the same V8 settings: \`${flags}\` on the command line and allocation-site pretenuring off (ours: set by createGateway at start, as in production; the others: \`${RUNTIME_V8_FLAGS.join(' ')}\` on the command line), NODE_ENV=production.`;
}

/**
 * Pipeline settings (names as in src/config/env.ts). Only names the env schema knows are passed,
 * so that a renamed setting degrades to its default instead of failing the child's boot.
 */
const PIPELINE_SETTINGS: Readonly<Record<'common' | 'cacheOff' | 'cacheOn', Readonly<Record<string, string>>>> = {
  // Inbound limits stay on but high: one bench caller sends thousands of requests a second.
  common: { RATE_LIMIT_REQUESTS_PER_WINDOW: '1000000000', RATE_LIMIT_COST_PER_WINDOW: '1000000000', RATE_LIMIT_BURST_REQUESTS: '1000000000', METRICS_PORT: '0' },
  cacheOff: { RESPONSE_CACHE: '0' },
  cacheOn: { RESPONSE_CACHE: '1' },
};

function known(settings: Readonly<Record<string, string>>): Record<string, string> {
  const names = new Set(Object.keys(envSchema.shape));
  return Object.fromEntries(Object.entries(settings).filter(([name]) => names.has(name)));
}

/** The environment of a gateway child (also the source of provider URLs and secrets for the peers). */
export function gatewayEnv(
  upstreams: Upstreams,
  options: BenchOptions,
  extra: { cache: boolean; port?: number; redisUrl?: string; env?: Readonly<Record<string, string>> },
): Record<string, string> {
  return {
    ...demoEnv(upstreams),
    NODE_ENV: 'production',
    DEMO: '1',
    PERSISTED_OPERATIONS: 'enforce',
    LOG_LEVEL: 'info',
    NEXT_TELEMETRY_DISABLED: '1',
    ...known(PIPELINE_SETTINGS.common),
    ...known(extra.cache ? PIPELINE_SETTINGS.cacheOn : PIPELINE_SETTINGS.cacheOff),
    ...(extra.port === undefined ? {} : { PORT: String(extra.port) }),
    ...(extra.redisUrl === undefined ? {} : { REDIS_URL: extra.redisUrl }),
    // The outbound token buckets would cap the throughput being measured: off for every ours-* target
    // alike (next start included), by the setting a deployment would use.
    ...(options.keepOutboundLimits ? {} : { UPSTREAM_RATE_PER_SECOND: '0' }),
    ...options.gatewayEnv,
    // Last: a start that asks for a setting (two-instances' shared-state checks) gets exactly it.
    ...extra.env,
  };
}

export const PROFILE_DIR = 'test/bench/results/profiles';

/** next start has no IPC channel to us: with --cpu-prof it listens for the inspector (loopback, free port) and is profiled over CDP. */
function inspectArgs(options: BenchOptions): string[] {
  return options.cpuProf ? ['--inspect=127.0.0.1:0'] : [];
}

const TSX = ['--import', 'tsx'];

export interface StartOptions {
  readonly upstreams: Upstreams;
  readonly options: BenchOptions;
  /** Instance label (two-instances). */
  readonly label?: string;
  readonly redisUrl?: string;
  /** Env of this start only, over everything else (ours-* targets; names as in src/config/env.ts). */
  readonly env?: Readonly<Record<string, string>>;
  /** More node flags for our tsx children (soak: --expose-gc). */
  readonly nodeArgs?: readonly string[];
}

/** Starts the target's child process; resolves once it answers. */
export async function startTarget(target: TargetName, { upstreams, options, label, redisUrl, env, nodeArgs = [] }: StartOptions): Promise<ChildHandle> {
  const name = label ?? target;
  const pin = options.pin;
  const perStart = { ...(redisUrl === undefined ? {} : { redisUrl }), ...(env === undefined ? {} : { env }) };
  switch (target) {
    case 'raw-node-http':
      return startChild({ name, nodeArgs: [...nodeArgsOf(target, options), ...TSX], args: ['test/bench/peers/raw-node-http.ts'], env: { NODE_ENV: 'production' }, pin });
    case 'yoga-plain':
    case 'yoga-jit':
    case 'yoga-guild':
    case 'yoga-cache-hit':
    case 'naive':
    case 'apollo-server':
    case 'floor':
    case 'yoga-floor':
      return startChild({ name, nodeArgs: [...nodeArgsOf(target, options), ...TSX], args: [`test/bench/peers/${target}.ts`], env: gatewayEnv(upstreams, options, { cache: false }), pin });
    case 'yoga-next-route': {
      const cwd = ensureNextRouteApp((line) => process.stderr.write(`${line}\n`));
      const port = await freePort();
      return startChild({
        name,
        nodeArgs: nodeArgsOf(target, options),
        args: ['../../../../node_modules/next/dist/bin/next', 'start', '--port', String(port), '--hostname', '127.0.0.1'],
        cwd,
        env: gatewayEnv(upstreams, options, { cache: false, port }),
        pin,
        pollUrl: `http://127.0.0.1:${port}/api/graphql`,
        readyTimeoutMs: 180_000,
      });
    }
    case 'ours-standalone':
    case 'ours-variant':
    case 'ours-cache-hit':
      return startChild({
        name,
        // A variant's node flags come after the production ones: for V8, the last value of a flag wins.
        nodeArgs: [...nodeArgsOf(target, options), ...(target === 'ours-variant' ? options.variantNodeArgs : []), ...TSX, ...nodeArgs],
        args: ['test/bench/servers/ours.ts'],
        env: gatewayEnv(upstreams, options, {
          cache: target === 'ours-cache-hit',
          ...perStart,
          ...(target === 'ours-variant' ? { env: { ...options.variantEnv, ...env } } : {}),
        }),
        pin,
      });
    case 'ours-next-custom':
      ensureNextBuild();
      return startChild({
        name,
        nodeArgs: [...nodeArgsOf(target, options), ...TSX, ...nodeArgs],
        args: ['test/bench/servers/ours.ts', '--next-custom-server'],
        env: gatewayEnv(upstreams, options, { cache: false, ...perStart }),
        pin,
        readyTimeoutMs: 180_000,
      });
    case 'ours-next': {
      ensureNextBuild();
      const port = await freePort();
      return startChild({
        name,
        nodeArgs: [...nodeArgsOf(target, options), ...inspectArgs(options)],
        args: ['node_modules/next/dist/bin/next', 'start', '--port', String(port), '--hostname', '127.0.0.1'],
        env: gatewayEnv(upstreams, options, { cache: false, port, ...perStart }),
        pin,
        pollUrl: `http://127.0.0.1:${port}/api/graphql`,
        readyTimeoutMs: 180_000,
      });
    }
  }
}
