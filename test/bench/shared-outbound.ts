// Shared-state checks 3 and 4, on the outbound side (src/http): the token bucket per provider and
// the OAuth token of the orders provider are shared by two instances through Redis.
//
// Throttle: each provider's bucket (src/http/token-bucket.ts) starts full with BURST tokens, refills
// RATE per second up to BURST, and hands out reservations (a caller waits for its token) so callers
// queue instead of failing. Every instance reserves from the same Redis hash, so in any closed
// interval of T seconds the providers see at most BURST + ⌊RATE × T⌋ + 1 calls in all (a full bucket
// at the interval's start, one token every 1/RATE s, one at each end), whatever the instance count.
// Load far above the rate at both instances, then calls per provider as the providers saw them;
// 5 % on the rate absorbs the jitter between a token's time and the call's arrival.
//
// OAuth: instance 1's first orders call fetches a token and stores it in Redis; instance 2's first
// call reads it from there; both then use their cached copy (expires_in 3600 s ≫ the run). So one
// token request for the pair. The limits group covers the other case: both instances cold at the
// same moment (one takes the Redis refresh lock, the other waits for its token, src/http/oauth.ts).
import { TOKEN_PATH, type Upstreams } from '../../src/dev/upstreams';
import { runLoad, type LoadResult } from './load';
import type { RequestSpec } from './operations';
import { ProviderTimeline } from './provider-timeline';
import { sendTo } from './shared-send';
import type { SharedCheck } from './shared-state';

export const RATE = 50;
export const BURST = 10;
const CONNECTIONS = 20;
const TOLERANCE = 0.05;

export function outboundEnv(): Record<string, string> {
  return { UPSTREAM_RATE_PER_SECOND: String(RATE), UPSTREAM_BURST: String(BURST) };
}

export interface ProviderRate {
  readonly provider: string;
  readonly calls: number;
  /** First to last call, seconds. */
  readonly spanS: number;
  /** BURST + RATE × span + 1: the most the bucket lets through from the first to the last call. */
  readonly maxAllowed: number;
  /** (calls − BURST − 1) / span: the rate once the initial burst is spent. */
  readonly rateAfterBurst: number;
  /** Most calls in any 1 s (sliding); at most BURST + RATE + 1. */
  readonly busiestSecond: number;
  /** Calls in each whole second from the first call. */
  readonly perSecond: readonly number[];
  /** The bucket was the limit (rate after the burst ≥ 90 % of RATE). */
  readonly saturated: boolean;
  readonly pass: boolean;
}

function rateOf(provider: string, stamps: readonly number[]): ProviderRate {
  const first = stamps[0] ?? 0;
  const spanS = stamps.length > 1 ? ((stamps[stamps.length - 1] ?? first) - first) / 1000 : 0;
  const perSecond: number[] = [];
  for (const t of stamps) {
    const bin = Math.floor((t - first) / 1000);
    while (perSecond.length <= bin) perSecond.push(0);
    perSecond[bin] = (perSecond[bin] ?? 0) + 1;
  }
  let busiestSecond = 0;
  for (let lo = 0, hi = 0; hi < stamps.length; hi++) {
    while ((stamps[hi] ?? 0) - (stamps[lo] ?? 0) >= 1000) lo++;
    busiestSecond = Math.max(busiestSecond, hi - lo + 1);
  }
  const rateAfterBurst = spanS > 0 ? Math.max(0, stamps.length - BURST - 1) / spanS : 0;
  return {
    provider,
    calls: stamps.length,
    spanS,
    maxAllowed: BURST + RATE * spanS + 1,
    rateAfterBurst,
    busiestSecond,
    perSecond,
    saturated: rateAfterBurst >= 0.9 * RATE,
    pass: stamps.length <= BURST + 1 + RATE * (1 + TOLERANCE) * spanS && busiestSecond <= BURST + 1 + RATE * (1 + TOLERANCE),
  };
}

export interface TokenWatch {
  /** Requests the token endpoint has received since the watch started. */
  count(): number;
  stop(): void;
}

/** Records the auth provider's requests from now on (start it before the instances). */
export function watchTokens(upstreams: Upstreams): TokenWatch {
  upstreams.auth.resetRecords();
  upstreams.auth.recording = true;
  return {
    count: () => upstreams.auth.requests.filter((r) => r.path === TOKEN_PATH).length,
    stop: () => {
      upstreams.auth.recording = false;
      upstreams.auth.resetRecords();
    },
  };
}

export interface OutboundResult {
  readonly throttle: SharedCheck;
  readonly oauth: SharedCheck;
  readonly rates: readonly ProviderRate[];
  readonly load: LoadResult;
}

const codes = (load: LoadResult) => Object.entries(load.errorCodes).map(([c, n]) => `${c} ${n}`).join(', ') || 'none';

export async function checkOutbound(upstreams: Upstreams, origins: readonly string[], spec: RequestSpec, durationS: number, tokens: TokenWatch): Promise<OutboundResult> {
  const atBoot = tokens.count();
  const warm1 = await sendTo(origins, 0, spec);
  const afterFirst = tokens.count();
  const warm2 = await sendTo(origins, 1, spec);
  const afterSecond = tokens.count();
  // The warm-up took tokens from the buckets: let them fill up again before the measured load.
  await new Promise((resolve) => setTimeout(resolve, Math.ceil((BURST / RATE) * 1000) + 200));

  const timeline = new ProviderTimeline([upstreams.orders, upstreams.catalog, upstreams.accounts, upstreams.reviews]);
  timeline.start();
  let load: LoadResult;
  try {
    load = await runLoad({ origins, spec, connections: CONNECTIONS, durationS });
    // Reservations already granted are still waiting for their turn when the load stops.
    await timeline.settle(500, 12_000);
  } finally {
    timeline.stop();
  }
  const afterLoad = tokens.count();
  const rates = ['orders', 'catalog', 'accounts', 'reviews'].map((p) => rateOf(p, timeline.stamps(p)));
  const saturated = rates.filter((r) => r.saturated);
  const throttle: SharedCheck = {
    name: 'outbound throttle',
    setup: `UPSTREAM_RATE_PER_SECOND=${RATE}, UPSTREAM_BURST=${BURST} (config buckets kept); order page, ${CONNECTIONS} connections split between the instances for ${durationS} s (closed loop); calls counted at the providers until they stop`,
    expected: `per provider, both instances together: calls ≤ ${BURST} + ${RATE}/s × span + 1 and ≤ ${BURST + RATE + 1} in any 1 s, rate after the burst ≤ ${RATE}/s (+5 %: ${(RATE * (1 + TOLERANCE)).toFixed(1)}), i.e. one bucket, not ${2 * RATE}/s; at least one provider held at its rate (≥ ${0.9 * RATE}/s)`,
    observed: `${rates.map((r) => `${r.provider} ${r.rateAfterBurst.toFixed(1)}/s (${r.calls} calls, allowed ${r.maxAllowed.toFixed(0)})`).join('; ')}; held at the rate: ${saturated.map((r) => r.provider).join(', ') || 'none'}; load ${load.rps.toFixed(1)} req/s, p50 ${load.p50Ms.toFixed(0)} ms, errors: ${codes(load)}`,
    pass: rates.every((r) => r.pass) && saturated.length > 0,
    figures: { rate: RATE, burst: BURST, connections: CONNECTIONS, durationS, load },
  };
  const oauth: SharedCheck = {
    name: 'OAuth token (orders)',
    setup: 'one order page to instance 1, then one to instance 2, then the throttle load above at both; requests to the simulated token endpoint counted from before the instances started',
    expected: '1 token request: instance 1 fetches and stores it in Redis, instance 2 reads it from there, the load reuses it',
    observed: `${afterLoad} (at boot ${atBoot}, after instance 1's first request ${afterFirst}, after instance 2's ${afterSecond}, after the load ${afterLoad}); warm-up answers ${warm1.ok && warm2.ok ? 'ok' : `HTTP ${warm1.status}/${warm2.status}`}`,
    pass: afterLoad === 1 && afterFirst === 1 && warm1.ok && warm2.ok,
    figures: { atBoot, afterFirst, afterSecond, afterLoad },
  };
  return { throttle, oauth, rates, load };
}
