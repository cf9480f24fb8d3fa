// Realistic traffic for `--two-instances` (issue 26): many distinct callers, each well under the
// DEFAULT inbound budgets (600 requests and 50,000 cost per 60 s, 60 requests per 2 s), at a fixed
// overall rate, and for the cached catalogue many distinct cache keys. The single-caller rows (limits
// at 1e9) show what leases cost at best; these show what a fleet's traffic costs.
import { mintDevToken } from '../../src/dev/dev-jwt';
import type { RequestSpec, RequestVariant, ScenarioName } from './operations';

/** The instances' settings for these rows: production's budget defaults, and loopback as the trusted proxy (catalogue callers differ by x-forwarded-for). */
export const MANY_CALLERS_ENV: Readonly<Record<string, string>> = {
  RATE_LIMIT_WINDOW_SECONDS: '60',
  RATE_LIMIT_REQUESTS_PER_WINDOW: '600',
  RATE_LIMIT_COST_PER_WINDOW: '50000',
  RATE_LIMIT_BURST_REQUESTS: '60',
  RATE_LIMIT_BURST_SECONDS: '2',
  TRUSTED_PROXIES: '127.0.0.1',
};

interface Plan {
  readonly callers: number;
  /** Requests per second per caller. */
  readonly perCaller: number;
  /** Distinct cache keys (the catalogue's `first` from 1 to this). */
  readonly keys?: number;
}

/**
 * Order page: 1,000 signed-in callers (user-1 … user-1000; only the first 100 have orders in the
 * fixtures, so most pages are short) at 0.4 req/s each: 24 pages (24,528 cost) a minute, half the
 * cost budget. Catalogue: 200 anonymous addresses at 5 req/s each (300 a minute, 10 per 2 s) over 100 keys.
 */
export const PLANS: Readonly<Partial<Record<ScenarioName, Plan>>> = {
  'order-page': { callers: 1000, perCaller: 0.4 },
  'catalogue-cached': { callers: 200, perCaller: 5, keys: 100 },
};

export interface ManyCallers {
  readonly spec: RequestSpec;
  /** Overall requests per second. */
  readonly rate: number;
  readonly label: string;
}

/** The scenario's spec spread over many callers (and keys), or undefined for a scenario without a plan. */
export async function manyCallers(scenario: ScenarioName, spec: RequestSpec): Promise<ManyCallers | undefined> {
  const plan = PLANS[scenario];
  if (plan === undefined) return undefined;
  const rate = plan.callers * plan.perCaller;
  const label = `${plan.callers} callers × ${plan.perCaller} req/s${plan.keys === undefined ? '' : `, ${plan.keys} keys`}`;
  if (plan.keys === undefined) {
    const tokens = await Promise.all(Array.from({ length: plan.callers }, (_, i) => mintDevToken(`user-${i + 1}`, { expiresIn: '1h' })));
    const variants: RequestVariant[] = tokens.map((token) => ({ headers: { authorization: `Bearer ${token}` } }));
    return { spec: { ...spec, variants }, rate, label };
  }
  // 10 variants per caller: each caller visits 10 of the keys in turn, each key is asked by 20 callers.
  const variants: RequestVariant[] = [];
  for (let i = 0; i < plan.callers * 10; i++) {
    const caller = i % plan.callers;
    const url = new URL(spec.path, 'http://bench');
    url.searchParams.set('variables', JSON.stringify({ first: (Math.floor(i / 20) % plan.keys) + 1 }));
    variants.push({ path: `${url.pathname}${url.search}`, headers: { 'x-forwarded-for': `10.0.${caller >> 8}.${caller & 255}` } });
  }
  return { spec: { ...spec, variants }, rate, label };
}
