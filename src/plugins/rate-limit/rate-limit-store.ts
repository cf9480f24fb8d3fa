// One inbound budget (requests, burst or cost per window) in memory on rate-limiter-flexible, for a
// single instance. Shared by several instances the budgets of a caller go through Redis together, in
// leases (budget-lease.ts: about no Redis call per request, never more than the limit across
// instances); rate-limiter-flexible's RateLimiterRedis was replaced there: it has no batch or lease
// mode, so every spend was a round trip (and its script three commands).
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';

export interface BudgetState {
  /** Points in the window. */
  readonly limit: number;
  /** Points left in the window (0 when refused). */
  readonly remaining: number;
  /** Milliseconds until the window resets. */
  readonly resetMs: number;
  /** True when this spend was refused. */
  readonly refused: boolean;
}

export interface Budget {
  readonly name: string;
  readonly limit: number;
  readonly windowSeconds: number;
  /** Spends `points`; a refused spend is given back so that one over-budget request costs nothing. */
  spend(key: string, points: number): Promise<BudgetState>;
  /** The current state without spending. */
  peek(key: string): Promise<BudgetState>;
}

export interface BudgetOptions {
  /** `requests`, `burst` or `cost`: part of the store key. */
  readonly name: string;
  readonly points: number;
  readonly windowSeconds: number;
  /** @default 'bff:' */
  readonly keyPrefix?: string;
  /** Give refused points back (cost) or keep counting them (requests, so a flood stays refused). @default false */
  readonly refundRefused?: boolean;
}

function stateOf(limit: number, res: RateLimiterRes, refused: boolean): BudgetState {
  return {
    limit,
    remaining: refused ? 0 : Math.max(0, res.remainingPoints),
    resetMs: Math.max(0, res.msBeforeNext),
    refused,
  };
}

export function createBudget(options: BudgetOptions): Budget {
  const { points, windowSeconds: duration } = options;
  const keyPrefix = `${options.keyPrefix ?? 'bff:'}rl:${options.name}`;
  const limiter = new RateLimiterMemory({ points, duration, keyPrefix });

  async function spend(key: string, amount: number): Promise<BudgetState> {
    try {
      return stateOf(points, await limiter.consume(key, amount), false);
    } catch (rejection) {
      // rate-limiter-flexible rejects with a RateLimiterRes when over the limit, with an Error when it failed:
      // then we let the request through rather than refuse all.
      if (!(rejection instanceof RateLimiterRes)) return { limit: points, remaining: points, resetMs: duration * 1000, refused: false };
      if (options.refundRefused) await limiter.reward(key, amount).catch(() => undefined);
      return stateOf(points, rejection, true);
    }
  }

  async function peek(key: string): Promise<BudgetState> {
    const res = await limiter.get(key).catch(() => null);
    // The memory store keeps an expired window until its timer fires: that is a fresh window.
    if (!res || res.msBeforeNext <= 0) return { limit: points, remaining: points, resetMs: duration * 1000, refused: false };
    return stateOf(points, res, false);
  }

  return { name: options.name, limit: points, windowSeconds: duration, spend, peek };
}
