// The inbound budgets of a caller shared through Redis at about no Redis call per request: each
// instance takes points of every budget of an identity (requests, burst, cost) from shared
// fixed-window counters in leases and spends them locally. All budgets of one identity live in ONE
// key, `<prefix>rl:{<identity>}` (a JSON object; the braces hash-tag it, so the script is single-slot
// on Redis Cluster), and one Lua script refills, in the same call, every budget of that identity that
// is below its lease: one Redis call per refill whatever the number of budgets, 4 commands (EVALSHA,
// TIME, GET, SET), 3 when nothing is granted. Windows run on Redis's clock (TIME), not the instances'.
//
// Guarantee: leased points are counted in Redis before they are spent, so the instances together
// never admit more than a budget's limit in its window. Bound: points leased but unspent when the
// window ends (or when this instance forgets the identity, LRU) are lost; each instance holds at
// most one lease, so a caller is admitted at least `limit − instances × lease` points per window:
// - request and burst budgets: lease = max(1, ⌊leaseFraction × limit⌋), 10 % of the limit by default
//   (600/60 s → 60, burst 60/2 s → 6: two instances admit a caller at least 48 of its 60 in the worst
//   case, for one call per 6 requests instead of one per request); limits below 10 stay exact (lease 1);
// - cost budget: lease = max(need, 2 × need, ⌊leaseFraction × limit⌋), so an instance holds at most
//   max(⌊leaseFraction × limit⌋, the largest cost it spent) beyond what it admitted.
// The points beyond a request's need shrink with the window's time left (the script scales them), and
// calls in flight count what they asked for, so concurrent calls never hold more than one lease.
// leaseFraction 0 (RATE_LIMIT_LEASE_FRACTION=0) leases exactly what each request needs: no undercount,
// one call per spend. A short window (burst, 2 s) starts over for a caller slower than one request per
// window, so such a caller costs one call per request whatever the lease (its other budgets ride
// along). A refusal is remembered until the window resets (a fixed-window counter only grows):
// refusing a flood costs no Redis call. Concurrent refills of one identity on one instance share one
// call. While Redis fails (or its guard's breaker is open) the instance spends from its own memory
// limiters instead.
// Key names changed from `rl:<budget>:<identity>` (one key per budget, not co-located on a Cluster):
// the old keys are not read, so counters start over once at the switch, and while old and new
// instances run side by side a caller may get up to its limit from each (≤ 2× for that window).
import { createHash } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';
import { LRUCache } from 'lru-cache';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import type { BudgetState } from './rate-limit-store';

/** The guard of src/server/redis-guard.ts: a timeout and a breaker around each call. */
export interface RedisCallGuard {
  run<T>(op: () => Promise<T>): Promise<T>;
}

export interface LeasedBudgetSpec {
  /** `requests`, `burst` or `cost`: the field name in the identity's key. */
  readonly name: string;
  readonly points: number;
  readonly windowSeconds: number;
  /** A cost budget leases in terms of the request's cost (2 × need), a count budget in points of its limit. @default false */
  readonly byCost?: boolean;
}

export interface BudgetLeasesOptions {
  readonly budgets: readonly LeasedBudgetSpec[];
  readonly redis: Redis | Cluster;
  /** `<REDIS_KEY_PREFIX>rl:`; the key is this plus `{<identity>}`. */
  readonly keyPrefix: string;
  readonly guard?: RedisCallGuard | undefined;
  /** Lease size as a fraction of each limit (RATE_LIMIT_LEASE_FRACTION); 0 = exact leases. @default 0.1 */
  readonly leaseFraction?: number;
  /** Identities whose leases this instance remembers; older ones are dropped (their points lost). @default 10000 */
  readonly maxIdentities?: number;
  /** @default Date.now */
  readonly now?: () => number;
}

export interface BudgetLeases {
  /** Spends `needs[budget]` points of each named budget of `key`; at most one Redis call (shared with concurrent spends of `key`). */
  spend(key: string, needs: Readonly<Record<string, number>>): Promise<Record<string, BudgetState>>;
  /** What this instance knows of a budget of `key`, without a Redis call (a full budget when it knows nothing). */
  peek(key: string, name: string): Promise<BudgetState>;
  /** Points one refill takes of a count budget, or of a cost budget for a need of `need` (for the report and tests). */
  leaseSize(name: string, need?: number): number;
  /** The Redis key of an identity. */
  keyOf(key: string): string;
}

/** A cost budget's lease covers this many requests of the cost just asked for (when above the fraction). */
export const COST_LEASE_MULTIPLE = 2;

// ARGV, per budget: name, want, need, limit, windowMs. Grants `need` plus the rest of `want` in
// proportion to the window's time left (a spare taken as the window ends would be lost), at most
// what is left, when at least `need` is left (else nothing); every asked budget's count and
// milliseconds to reset come back, so one call refreshes what the instance knows of all of them.
const LEASE_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local raw = redis.call('GET', KEYS[1])
local state = raw and cjson.decode(raw) or {}
local out, changed, last = {}, false, now
for i = 1, #ARGV, 5 do
  local name = ARGV[i]
  local want, need, limit, windowMs = tonumber(ARGV[i + 1]), tonumber(ARGV[i + 2]), tonumber(ARGV[i + 3]), tonumber(ARGV[i + 4])
  local b = state[name]
  if b == nil or b[2] <= now then b = {0, now + windowMs} end
  local grant = 0
  if want > 0 and limit - b[1] >= need then
    -- The points beyond the need shrink with the window's time left: a lease taken as it ends would be lost.
    local spare = math.ceil((want - need) * (b[2] - now) / windowMs)
    grant = math.min(need + spare, limit - b[1])
  end
  if grant > 0 then
    b[1] = b[1] + grant
    state[name] = b
    changed = true
  end
  out[#out + 1] = grant
  out[#out + 1] = b[1]
  out[#out + 1] = b[2] - now
end
if changed then
  for name, b in pairs(state) do
    if b[2] <= now then state[name] = nil elseif b[2] > last then last = b[2] end
  end
  redis.call('SET', KEYS[1], cjson.encode(state), 'PXAT', last)
end
return out
`;
const LEASE_SHA = createHash('sha1').update(LEASE_SCRIPT).digest('hex');

interface Held {
  /** Points leased to this instance and not spent yet. */
  left: number;
  /** What Redis could still grant at the last call (an upper bound: the counter only grows in a window). */
  sharedLeft: number;
  /** Local time the window resets; 0 = unknown. */
  resetAt: number;
  /** Points asked for by calls in flight (so that concurrent calls never lease more than one lease between them). */
  pending: number;
}

interface Identity {
  readonly budgets: Map<string, Held>;
  /** The refill in flight for this identity on this instance, if any. */
  refill?: Promise<void> | undefined;
  /** The last cost this identity spent here: a cost lease topped up ahead of the request is sized on it. */
  lastCost: number;
}

interface Ask {
  readonly spec: LeasedBudgetSpec;
  /** The record the ask was made for (its `pending` holds `want` until the reply). */
  readonly held: Held;
  readonly want: number;
  readonly need: number;
  /** Points this request took from what was held, given back when refused. */
  readonly reserved: number;
}

function toNumbers(reply: unknown, count: number): number[] {
  if (!Array.isArray(reply) || reply.length !== count * 3) throw new TypeError('unexpected lease reply');
  return reply.map(Number);
}

export function createBudgetLeases(options: BudgetLeasesOptions): BudgetLeases {
  const { redis, budgets } = options;
  const fraction = options.leaseFraction ?? 0.1;
  const now = options.now ?? Date.now;
  const specs = new Map(budgets.map((b) => [b.name, b]));
  const identities = new LRUCache<string, Identity>({ max: options.maxIdentities ?? 10_000 });
  // Spends while Redis is away: this instance's own limits, as before leases.
  const locals = new Map(budgets.map((b) => [b.name, new RateLimiterMemory({ points: b.points, duration: b.windowSeconds, keyPrefix: `${options.keyPrefix}${b.name}` })]));
  const guard = options.guard ?? { run: <T>(op: () => Promise<T>) => op() };
  const keyOf = (key: string) => `${options.keyPrefix}{${key}}`;

  /** Points a refill asks for to cover `need` (count budgets: their lease; cost: in terms of the cost). */
  const leaseSize = (spec: LeasedBudgetSpec, need: number): number => {
    const share = Math.floor(fraction * spec.points);
    if (fraction <= 0) return need;
    return spec.byCost ? Math.max(need, COST_LEASE_MULTIPLE * need, share) : Math.max(need, 1, share);
  };

  const identityOf = (key: string): Identity => {
    let identity = identities.get(key);
    if (identity === undefined) {
      identity = { budgets: new Map(), lastCost: 0 };
      identities.set(key, identity);
    }
    return identity;
  };

  /** The held points of a budget in its current window (a new, unknown window once the old one reset). */
  const heldOf = (identity: Identity, spec: LeasedBudgetSpec, at: number): Held => {
    let held = identity.budgets.get(spec.name);
    if (held === undefined || (held.resetAt !== 0 && held.resetAt <= at)) {
      held = { left: 0, sharedLeft: spec.points, resetAt: 0, pending: 0 };
      identity.budgets.set(spec.name, held);
    }
    return held;
  };

  const stateOf = (spec: LeasedBudgetSpec, held: Held, at: number, refused: boolean): BudgetState => ({
    limit: spec.points,
    remaining: refused ? 0 : Math.max(0, held.sharedLeft + held.left),
    resetMs: held.resetAt === 0 ? spec.windowSeconds * 1000 : Math.max(0, held.resetAt - at),
    refused,
  });

  const call = async (key: string, asks: readonly Ask[]): Promise<number[]> => {
    const args = asks.flatMap((a) => [a.spec.name, a.want, a.need, a.spec.points, a.spec.windowSeconds * 1000]);
    return guard.run(async () => {
      try {
        return toNumbers(await redis.evalsha(LEASE_SHA, 1, keyOf(key), ...args), asks.length);
      } catch (error) {
        if (error instanceof Error && error.message.startsWith('NOSCRIPT')) return toNumbers(await redis.eval(LEASE_SCRIPT, 1, keyOf(key), ...args), asks.length);
        throw error;
      }
    });
  };

  const fallback = async (spec: LeasedBudgetSpec, key: string, amount: number): Promise<BudgetState> => {
    const local = locals.get(spec.name);
    const windowMs = spec.windowSeconds * 1000;
    try {
      const res = await local?.consume(key, amount);
      return { limit: spec.points, remaining: Math.max(0, res?.remainingPoints ?? spec.points), resetMs: Math.max(0, res?.msBeforeNext ?? windowMs), refused: false };
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) return { limit: spec.points, remaining: spec.points, resetMs: windowMs, refused: false };
      await local?.reward(key, amount).catch(() => undefined);
      return { limit: spec.points, remaining: 0, resetMs: Math.max(0, rejection.msBeforeNext), refused: true };
    }
  };

  /** One attempt: spends what is held, refuses what is known spent, and asks Redis for the rest (plus every low budget). */
  const attempt = async (key: string, needs: Readonly<Record<string, number>>, mayWait: boolean): Promise<Record<string, BudgetState> | undefined> => {
    const identity = identityOf(key);
    const at = now();
    const missing = Object.entries(needs).filter(([name, amount]) => {
      const spec = specs.get(name);
      if (spec === undefined || amount <= 0) return false;
      const held = heldOf(identity, spec, at);
      return held.left < amount && held.sharedLeft >= amount - held.left;
    });
    // Another request of this caller is refilling: its lease may cover this one too.
    if (missing.length > 0 && mayWait && identity.refill !== undefined) return undefined;
    const result: Record<string, BudgetState> = {};
    const asks: Ask[] = [];
    for (const [name, amount] of Object.entries(needs)) {
      const spec = specs.get(name);
      if (spec === undefined) continue;
      if (spec.byCost && amount > 0) identity.lastCost = amount;
      const held = heldOf(identity, spec, at);
      if (amount <= 0 || held.left >= amount) {
        held.left -= Math.max(0, amount);
        result[name] = stateOf(spec, held, at, false);
      } else if (held.sharedLeft < amount - held.left) {
        // Known spent until the window resets: refused without asking Redis.
        result[name] = stateOf(spec, held, at, true);
      } else {
        // The points held are this request's while it asks for the rest (others in flight must not spend them).
        const reserved = held.left;
        held.left = 0;
        const need = amount - reserved;
        asks.push({ spec, held, need, want: Math.max(need, leaseSize(spec, amount) - reserved - held.pending), reserved });
      }
    }
    if (asks.length === 0) return result;
    // The same call tops up every other budget of this identity that holds less than its next lease.
    for (const spec of budgets) {
      if (asks.some((a) => a.spec === spec)) continue;
      const held = heldOf(identity, spec, at);
      const deficit = leaseSize(spec, spec.byCost ? identity.lastCost : 1) - held.left - held.pending;
      if (fraction > 0 && deficit > 0 && held.sharedLeft > 0) asks.push({ spec, held, need: 0, want: deficit, reserved: 0 });
    }
    for (const ask of asks) ask.held.pending += ask.want;
    let reply: number[];
    const pending = call(key, asks);
    const refill = pending.then(
      () => undefined,
      () => undefined,
    );
    identity.refill = refill;
    try {
      reply = await pending;
    } catch {
      for (const ask of asks) ask.held.pending -= ask.want;
      const out: Record<string, BudgetState> = { ...result };
      for (const ask of asks) {
        const held = heldOf(identity, ask.spec, at);
        held.left += ask.reserved;
        if (ask.need > 0) out[ask.spec.name] = await fallback(ask.spec, key, ask.need + ask.reserved);
      }
      return out;
    } finally {
      if (identity.refill === refill) identity.refill = undefined;
    }
    const after = now();
    for (const ask of asks) ask.held.pending -= ask.want;
    asks.forEach((ask, i) => {
      const [grant = 0, count = 0, ttlMs = 0] = reply.slice(i * 3, i * 3 + 3);
      // From the time the call was sent: the local window ends no later than Redis's (never spends into the next).
      const resetAt = at + Math.max(0, ttlMs);
      // A reply from a new window replaces what was held of the old one.
      let held = heldOf(identity, ask.spec, after);
      if (held.resetAt !== 0 && resetAt > held.resetAt + (ask.spec.windowSeconds * 1000) / 2) {
        held = { left: 0, sharedLeft: ask.spec.points, resetAt, pending: 0 };
        identity.budgets.set(ask.spec.name, held);
      }
      held.resetAt = resetAt;
      held.sharedLeft = Math.min(held.sharedLeft, Math.max(0, ask.spec.points - count));
      if (ask.need === 0) {
        held.left += grant;
        return;
      }
      // This request's own reply says what was left when it spent (the lease may know less since).
      const own: Held = { left: 0, sharedLeft: Math.max(0, ask.spec.points - count), resetAt, pending: 0 };
      if (grant === 0) {
        held.left += ask.reserved;
        result[ask.spec.name] = stateOf(ask.spec, own, after, true);
        return;
      }
      held.left += grant - ask.need;
      own.left = held.left;
      result[ask.spec.name] = stateOf(ask.spec, own, after, false);
    });
    return result;
  };

  return {
    keyOf,
    leaseSize(name, need = 1) {
      const spec = specs.get(name);
      return spec === undefined ? 0 : leaseSize(spec, need);
    },
    async spend(key, needs) {
      const first = await attempt(key, needs, true);
      if (first !== undefined) return first;
      // At most one wait for a refill in flight, then this request asks for itself.
      await identityOf(key).refill;
      return (await attempt(key, needs, false)) ?? {};
    },
    async peek(key, name) {
      const spec = specs.get(name);
      if (spec === undefined) throw new Error(`unknown budget ${name}`);
      const at = now();
      const held = identities.get(key)?.budgets.get(name);
      if (held !== undefined && (held.resetAt === 0 || held.resetAt > at)) return stateOf(spec, held, at, false);
      const res = await locals
        .get(name)
        ?.get(key)
        .catch(() => null);
      if (res === null || res === undefined || res.msBeforeNext <= 0) return { limit: spec.points, remaining: spec.points, resetMs: spec.windowSeconds * 1000, refused: false };
      return { limit: spec.points, remaining: Math.max(0, res.remainingPoints), resetMs: res.msBeforeNext, refused: false };
    },
  };
}
