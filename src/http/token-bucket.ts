// Outbound token buckets: `ratePerSecond` refill, `burst` capacity, reservations so that waiting
// callers queue in order instead of stampeding. In memory, or in Redis (one atomic Lua script) so
// every gateway instance draws from the same bucket, in small leases (one call per few tokens). rate-limiter-flexible was considered: it only
// has fixed-window counters with whole-second windows, which let 2× the rate through across a
// window edge, so the bucket maths is ours and Redis provides the atomicity.
import { createHash } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';
import type { Clock } from './clock';
import { within } from './deadline';
import type { RateLimitOptions } from './options';

export type Reservation =
  /** A token is yours; use it after `waitMs`. */
  | { readonly granted: true; readonly waitMs: number }
  /** Not reserved: the earliest token would come after `waitMs`, past the caller's limit. */
  | { readonly granted: false; readonly waitMs: number };

export interface TokenBucket {
  reserve(maxWaitMs: number): Promise<Reservation>;
}

/** The shared state of a bucket: tokens at time `at`. Tokens go negative for reservations. */
interface BucketState {
  tokens: number;
  at: number;
}

function reserveIn(state: BucketState, limit: RateLimitOptions, now: number, maxWaitMs: number): Reservation {
  if (now > state.at) {
    state.tokens = Math.min(limit.burst, state.tokens + ((now - state.at) * limit.ratePerSecond) / 1000);
    state.at = now;
  }
  const waitMs = state.tokens >= 1 ? 0 : Math.ceil(((1 - state.tokens) * 1000) / limit.ratePerSecond);
  if (waitMs > maxWaitMs) return { granted: false, waitMs };
  state.tokens -= 1;
  return { granted: true, waitMs };
}

export function createMemoryBucket(limit: RateLimitOptions, clock: Clock): TokenBucket {
  const state: BucketState = { tokens: limit.burst, at: clock.now() };
  return { reserve: async (maxWaitMs) => reserveIn(state, limit, clock.now(), maxWaitMs) };
}

// Same maths as reserveIn, for up to ARGV[6] tokens at once when they are there now (a lease), else
// one reservation as before. Time comes from the caller's clock (instances are NTP-synced; a skew of
// d ms lets at most d × rate / 1000 extra tokens through) so that tests can drive it.
const RESERVE_SCRIPT = `
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local now, rate, burst, maxWait, ttl, lease = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6] or '1')
local tokens, at = tonumber(state[1]), tonumber(state[2])
if tokens == nil or at == nil then tokens = burst; at = now end
if now > at then
  tokens = math.min(burst, tokens + (now - at) * rate / 1000)
  at = now
end
local wait = 0
local take = 1
if tokens >= 1 then
  take = math.max(1, math.min(lease, math.floor(tokens)))
else
  wait = math.ceil((1 - tokens) * 1000 / rate)
end
if wait > maxWait then return {0, wait} end
tokens = tokens - take
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(at))
redis.call('PEXPIRE', KEYS[1], ttl)
return {take, wait}
`;
const RESERVE_SHA = createHash('sha1').update(RESERVE_SCRIPT).digest('hex');

// A Redis that does not answer this fast is treated as down for this call (ioredis would
// otherwise queue commands while it reconnects, holding callers past their deadline).
const REDIS_TIMEOUT_MS = 100;
// Leased tokens not used by then are dropped, so that a lease never shifts calls further than this.
const LEASE_TTL_MS = 1000;

/** Runs one Redis call, or rejects at once (breaker open) or after its timeout (src/server/redis-guard.ts). */
export interface BucketCallGuard {
  run<T>(op: () => Promise<T>): Promise<T>;
}

/**
 * Tokens one Redis call may take for this instance: what the rate gives in 10 ms, at least 1, at most
 * the burst. Across N instances the providers see, in any T seconds, at most
 * burst + rate × T + 1 + N × (lease − 1) calls (tokens leased before T and spent in it).
 */
export function leaseSizeOf(limit: RateLimitOptions): number {
  return Math.max(1, Math.min(limit.burst, Math.floor(limit.ratePerSecond / 100)));
}

/**
 * A bucket in Redis under `key`, spent in leases of leaseSizeOf(limit) tokens (one Redis call per
 * lease instead of per upstream call). If Redis fails or is slow, this instance falls back to its own
 * in-memory bucket (fail open to a local limit rather than fail every call).
 */
export function createRedisBucket(limit: RateLimitOptions, clock: Clock, redis: Redis | Cluster, key: string, guard?: BucketCallGuard): TokenBucket {
  const fallback = createMemoryBucket(limit, clock);
  const lease = leaseSizeOf(limit);
  let leased = 0;
  let leaseUntil = 0;
  // Past a full refill an absent key means the same as a full bucket; the margin keeps the key
  // when the callers' clock and Redis's expiry clock drift apart (manual clocks in tests).
  const ttlMs = Math.ceil((limit.burst * 1000) / limit.ratePerSecond) + 60_000;
  const run = async (args: (string | number)[]): Promise<unknown> => {
    try {
      return await redis.evalsha(RESERVE_SHA, 1, key, ...args);
    } catch (error) {
      if (error instanceof Error && error.message.startsWith('NOSCRIPT')) return redis.eval(RESERVE_SCRIPT, 1, key, ...args);
      throw error;
    }
  };
  const guarded = (args: (string | number)[]): Promise<unknown> => (guard ? guard.run(() => run(args)) : within(run(args), REDIS_TIMEOUT_MS));
  return {
    async reserve(maxWaitMs) {
      if (leased > 0 && clock.now() < leaseUntil) {
        leased--;
        return { granted: true, waitMs: 0 };
      }
      try {
        const now = clock.now();
        const result = await guarded([now, limit.ratePerSecond, limit.burst, Math.max(0, Math.floor(maxWaitMs)), ttlMs, lease]);
        if (!Array.isArray(result)) throw new TypeError('unexpected reply');
        const [taken, waitMs] = result.map(Number);
        if (taken === undefined || taken < 1) return { granted: false, waitMs: waitMs ?? 0 };
        if (taken > 1) {
          // Left over from an expired lease: dropped, as the bound above counts on.
          if (clock.now() >= leaseUntil) leased = 0;
          leased += taken - 1;
          leaseUntil = now + LEASE_TTL_MS;
        }
        // Redis took time: the wait counts from when it was computed.
        return { granted: true, waitMs: Math.max(0, (waitMs ?? 0) - (clock.now() - now)) };
      } catch {
        return fallback.reserve(maxWaitMs);
      }
    },
  };
}
