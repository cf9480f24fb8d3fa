// The "shared state" section of `--two-instances`: checks that two gateway processes on one Redis
// share their state. Each group of checks starts its own two ours-standalone instances with the
// settings it needs (same REDIS_URL, same REDIS_KEY_PREFIX, unique to this run and group), sends its
// traffic to both, and states expected against observed with pass/fail. Not a test: a report.
import type { Redis } from 'ioredis';
import { mintDevToken } from '../../src/dev/dev-jwt';
import { HEALTH_PATHS } from '../../src/observability/health';
import type { ChildHandle } from './child';
import type { MatrixContext } from './matrix';
import { requestFor, type ScenarioName } from './operations';
import { checkSharedCache } from './shared-cache';
import { checkCostBudget, checkRequestBudget, checkRetryAfter, COST_ADMITS, inboundEnv, operationCost, REQUEST_LIMIT } from './shared-inbound';
import { BURST, checkOutbound, outboundEnv, RATE, watchTokens, type ProviderRate } from './shared-outbound';
import { startTarget } from './targets';

export interface SharedCheck {
  readonly name: string;
  /** Settings and traffic. */
  readonly setup: string;
  readonly expected: string;
  readonly observed: string;
  readonly pass: boolean;
  /** The numbers behind `observed`, for two-instances.json. */
  readonly figures: Readonly<Record<string, unknown>>;
}

export interface SharedStateResult {
  /** REDIS_KEY_PREFIX of this run; each group adds its name. */
  readonly keyPrefix: string;
  readonly checks: readonly SharedCheck[];
  readonly rates: readonly ProviderRate[];
  readonly notes: readonly string[];
}

interface Pair {
  readonly origins: readonly string[];
  /** Builds a scenario's request for these instances. */
  spec(scenario: ScenarioName, token: string): ReturnType<typeof requestFor>;
}

async function untilReady(origin: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await fetch(`${origin}${HEALTH_PATHS.ready}`).catch(() => undefined);
    const text = await res?.text();
    if (res?.status === 200) return;
    if (Date.now() >= deadline) throw new Error(`${origin}: not ready within ${timeoutMs} ms: ${res?.status ?? 'no answer'} ${text ?? ''}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Starts two instances on the shared Redis with `env`, runs `body`, stops them whatever happens. */
async function withPair<T>(ctx: MatrixContext, group: string, env: Record<string, string>, keepOutboundLimits: boolean, body: (pair: Pair) => Promise<T>): Promise<T> {
  const { upstreams, options, log } = ctx;
  log(`  shared state: starting two instances (${group})`);
  const started = await Promise.allSettled(
    [1, 2].map((i) => startTarget('ours-standalone', { upstreams, options: { ...options, keepOutboundLimits }, label: `${group}-${i}`, redisUrl: options.redisUrl, env })),
  );
  const children = started.flatMap((s): ChildHandle[] => (s.status === 'fulfilled' ? [s.value] : []));
  try {
    const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;
    const path = new URL(children[0]?.url ?? 'http://x/api/graphql').pathname;
    const origins = children.map((c) => new URL(c.url).origin);
    // As a load balancer would: no traffic before the readiness probe says yes (it waits for Redis).
    await Promise.all(origins.map((origin) => untilReady(origin)));
    return await body({ origins, spec: (scenario, token) => requestFor(scenario, { endpointPath: path, token, persisted: ctx.persisted, byHash: true }) });
  } finally {
    await Promise.all(children.map((c) => c.stop()));
  }
}

export async function runSharedState(ctx: MatrixContext, redis: Redis, keyPrefix: string): Promise<SharedStateResult> {
  const { upstreams, options, log } = ctx;
  const checks: SharedCheck[] = [];
  const notes: string[] = [];
  // Callers of their own, so that each budget check starts from an empty budget.
  const requestCaller = await mintDevToken('user-2', { expiresIn: '1h' });
  const costCaller = await mintDevToken('user-3', { expiresIn: '1h' });

  const costOrder = operationCost(ctx.persisted, 'order-page');
  const costSingle = operationCost(ctx.persisted, 'single-entity');
  const costBudget = COST_ADMITS * costOrder;
  // The request check must meet its request budget before the cost budget, and the cost check the reverse.
  if (REQUEST_LIMIT * costSingle > costBudget) throw new Error(`shared state: ${REQUEST_LIMIT} single-entity requests (cost ${costSingle}) would spend the cost budget ${costBudget} first`);

  const issuedBefore = upstreams.auth.tokensIssued;
  await withPair(ctx, 'limits', { REDIS_KEY_PREFIX: `${keyPrefix}limits:`, RESPONSE_CACHE: '0', ...inboundEnv(costBudget) }, false, async (pair) => {
    // The shared counters of a caller: `<REDIS_KEY_PREFIX>rl:{<identity>}`, a JSON object of [count, reset] by budget (src/plugins/rate-limit/budget-lease.ts).
    const stored = (budget: string, user: string) => async () => {
      const value = await redis.get(`${keyPrefix}limits:rl:{user:${user}}`);
      const counts = value === null ? undefined : (JSON.parse(value) as Record<string, [number, number] | undefined>);
      return counts?.[budget]?.[0];
    };
    const requests = await checkRequestBudget(pair.origins, pair.spec('single-entity', requestCaller), stored('requests', 'user-2'));
    const cost = await checkCostBudget(pair.origins, pair.spec('order-page', costCaller), costOrder, costBudget, stored('cost', 'user-3'));
    checks.push(requests.check, cost.check, checkRetryAfter([...requests.retryAfters, ...cost.retryAfters]));
  });
  notes.push(
    `The limits group's instances were both cold when the cost check's first order pages reached them together: the token endpoint issued ${upstreams.auth.tokensIssued - issuedBefore} token(s) then (expected 1: the Redis refresh lock lets one fetch while the other waits for it).`,
  );

  await withPair(ctx, 'cache', { REDIS_KEY_PREFIX: `${keyPrefix}cache:`, RESPONSE_CACHE: '1' }, false, async (pair) => {
    checks.push(await checkSharedCache(upstreams, redis, `${keyPrefix}cache:`, pair.origins, pair.spec('catalogue-cached', ctx.token)));
  });

  const tokens = watchTokens(upstreams);
  let rates: readonly ProviderRate[] = [];
  try {
    await withPair(ctx, 'outbound', { REDIS_KEY_PREFIX: `${keyPrefix}outbound:`, RESPONSE_CACHE: '0', ...outboundEnv() }, true, async (pair) => {
      const durationS = Math.min(5, Math.max(3, options.durationS));
      const result = await checkOutbound(upstreams, pair.origins, pair.spec('order-page', ctx.token), durationS, tokens);
      checks.push(result.throttle, result.oauth);
      rates = result.rates;
    });
  } finally {
    tokens.stop();
  }
  for (const check of checks) log(`  ${check.pass ? 'pass' : 'FAIL'} ${check.name}: ${check.observed}`);
  return { keyPrefix, checks, rates, notes };
}

const cell = (text: string) => text.replace(/\|/g, '\\|');

export function sharedStateMarkdown(result: SharedStateResult | undefined, why?: string): string {
  if (!result) return ['## Shared state: two instances, one Redis', '', `Not run: ${why ?? 'no Redis'}.`].join('\n');
  const passed = result.checks.filter((c) => c.pass).length;
  return [
    `## Shared state: two instances, one Redis (${passed}/${result.checks.length} pass)`,
    '',
    `Each group starts two fresh ours-standalone instances with the same REDIS_URL and REDIS_KEY_PREFIX (\`${result.keyPrefix}<group>:\`, deleted afterwards) and sends to both in turn.`,
    '',
    '| check | setup | expected | observed | result |',
    '|---|---|---|---|---|',
    ...result.checks.map((c) => `| ${cell(c.name)} | ${cell(c.setup)} | ${cell(c.expected)} | ${cell(c.observed)} | **${c.pass ? 'pass' : 'FAIL'}** |`),
    '',
    `Outbound calls per provider, both instances together, as the simulated providers saw them (bucket: ${RATE}/s, burst ${BURST}, starts full):`,
    '',
    `| provider | calls | first→last call s | allowed: burst + rate × span + 1 | rate after the burst /s | busiest 1 s (≤ ${BURST + RATE + 1}; +5 %: ${Math.floor(BURST + 1 + RATE * 1.05)}) | calls in each second | within limit (+5 % on the rate) |`,
    '|---|---:|---:|---:|---:|---:|---|---|',
    ...result.rates.map(
      (r) =>
        `| ${r.provider} | ${r.calls} | ${r.spanS.toFixed(2)} | ${r.maxAllowed.toFixed(0)} | ${r.rateAfterBurst.toFixed(1)}${r.saturated ? ' (held at the rate)' : ''} | ${r.busiestSecond} | ${r.perSecond.join(' ')} | ${r.pass ? 'yes' : 'NO'} |`,
    ),
    '',
    ...result.notes,
  ].join('\n');
}
