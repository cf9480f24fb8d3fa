// createMetrics: the gateway's Prometheus instruments on a Registry of its own (several gateways in
// one process never collide), behind named methods so that plugins record without knowing prom-client.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { BreakerState } from './channels';

export type RequestOutcome = 'success' | 'partial' | 'error';

/**
 * Instruments tied to other plugins. Telemetry feeds them itself (from RATE_LIMITED errors, the
 * response cache's status, the operations channels, the cost estimate); a plugin may call them
 * directly only for what telemetry cannot see.
 */
export interface PluginMetrics {
  /** The inbound limiter refused a request; `kind` names the budget (`rate`, `cost`). */
  inboundRateLimited(kind: string): void;
  /** What the response cache did: `hit`, `miss`, `uncacheable`, `not-modified`. */
  responseCache(outcome: string): void;
  /** An unlisted document ran: `audit` (audit mode) or `bypass` (an internal client). */
  persistedAudit(reason: string): void;
  /** An operation limit was exceeded; `enforced` false when only measured. */
  limitExceeded(limit: string, enforced: boolean): void;
  /** The static cost estimated for an operation that was let through. */
  operationCost(cost: number): void;
}

/** What telemetry records itself, from the request lifecycle and the http core's events. */
export interface GatewayMetrics extends PluginMetrics {
  readonly registry: Registry;
  request(operation: string, outcome: RequestOutcome, seconds: number): void;
  error(code: string): void;
  attempt(provider: string, status: number | undefined, seconds: number): void;
  upstreamCall(provider: string, outcome: string): void;
  retry(provider: string, reason: string): void;
  breakerTransition(provider: string, to: BreakerState): void;
  throttled(provider: string, limit: string, waitSeconds: number): void;
  tokenRefresh(provider: string, outcome: string, reason: string): void;
  quotaRemaining(provider: string, remaining: number): void;
  /** Breaker states are read at scrape time from the clients themselves. */
  watchBreakers(read: () => Readonly<Record<string, BreakerState>>): void;
  /** The admission limit, requests holding a slot and requests waiting, read at scrape time. */
  watchAdmission(read: () => { readonly limit: number; readonly active: number; readonly queued: number }): void;
  /** The Redis guard's breaker state and its calls by outcome (src/server/redis-guard.ts), and whether the connection is up, read at scrape time. */
  watchRedis(read: () => RedisWatch): void;
}

/** What the Redis metrics read at scrape time. */
export interface RedisWatch {
  readonly breaker: BreakerState;
  readonly calls: Readonly<Record<string, number>>;
  /** The connection is established (ioredis `ready`). @default not reported */
  readonly up?: boolean;
}

export interface MetricsOptions {
  /** @default a new Registry */
  readonly registry?: Registry;
  /** Process metrics (CPU, memory, event loop lag, GC). @default true */
  readonly processMetrics?: boolean;
  /** Distinct operation names kept as label values; later ones are counted as `other`. @default 200 */
  readonly maxOperationLabels?: number;
}

const BREAKER_VALUE: Record<BreakerState, number> = { closed: 0, 'half-open': 1, open: 2 };
const SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

function statusClass(status: number | undefined): string {
  return status === undefined ? 'none' : `${Math.floor(status / 100)}xx`;
}

// prom-client hashes the label object on every call; children are cached by their label values.
function cached<T>(make: (a: string, b: string) => T): (a: string, b?: string) => T {
  const children = new Map<string, T>();
  return (a, b = '') => {
    const key = `${a}\u0000${b}`;
    let child = children.get(key);
    if (child === undefined) {
      child = make(a, b);
      children.set(key, child);
    }
    return child;
  };
}

export function createMetrics(options: MetricsOptions = {}): GatewayMetrics {
  const registry = options.registry ?? new Registry();
  const registers = [registry];
  if (options.processMetrics !== false) collectDefaultMetrics({ register: registry });
  const maxOperations = options.maxOperationLabels ?? 200;
  const operations = new Set<string>();

  const requestDuration = new Histogram({
    name: 'bff_graphql_request_duration_seconds',
    help: 'GraphQL requests by operation name and outcome (success, partial, error).',
    labelNames: ['operation', 'outcome'],
    buckets: SECONDS,
    registers,
  });
  const errors = new Counter({ name: 'bff_graphql_errors_total', help: 'Errors sent to clients, by code.', labelNames: ['code'], registers });
  const cost = new Histogram({
    name: 'bff_graphql_operation_cost',
    help: 'Static cost of operations let through.',
    buckets: [1, 10, 50, 100, 250, 500, 1000, 2500, 5000, 10000],
    registers,
  });
  const attemptDuration = new Histogram({
    name: 'bff_upstream_attempt_duration_seconds',
    help: 'One attempt toward a provider (auth and body read included).',
    labelNames: ['provider'],
    buckets: SECONDS,
    registers,
  });
  const attempts = new Counter({
    name: 'bff_upstream_attempts_total',
    help: 'Attempts toward providers by status class (none: no answer).',
    labelNames: ['provider', 'status_class'],
    registers,
  });
  const calls = new Counter({
    name: 'bff_upstream_requests_total',
    help: 'Upstream calls after retries, by outcome (ok or the UPSTREAM_* code).',
    labelNames: ['provider', 'outcome'],
    registers,
  });
  const retries = new Counter({
    name: 'bff_upstream_retries_total',
    help: 'Retries (and 401 re-sends) by the status or failure that caused them.',
    labelNames: ['provider', 'reason'],
    registers,
  });
  let readBreakers: (() => Readonly<Record<string, BreakerState>>) | undefined;
  const breakerState = new Gauge({
    name: 'bff_upstream_breaker_state',
    help: 'Circuit breaker state by provider: 0 closed, 1 half-open, 2 open.',
    labelNames: ['provider'],
    registers,
    collect() {
      for (const [provider, state] of Object.entries(readBreakers?.() ?? {})) breakerState.set({ provider }, BREAKER_VALUE[state]);
    },
  });
  let readAdmission: (() => { readonly limit: number; readonly active: number; readonly queued: number }) | undefined;
  const admission = new Gauge({
    name: 'bff_admission',
    help: 'Adaptive admission: the current concurrency limit, requests executing, requests waiting.',
    labelNames: ['value'],
    registers,
    collect() {
      const state = readAdmission?.();
      if (state === undefined) return;
      admission.set({ value: 'limit' }, state.limit);
      admission.set({ value: 'active' }, state.active);
      admission.set({ value: 'queued' }, state.queued);
    },
  });
  let readRedis: (() => RedisWatch) | undefined;
  const redisUp = new Gauge({
    name: 'bff_redis_up',
    help: 'Connection to Redis: 1 established, 0 not (readiness then answers 200 degraded; shared features use local state).',
    registers,
    collect() {
      const up = readRedis?.().up;
      if (up !== undefined) redisUp.set(up ? 1 : 0);
    },
  });
  const redisBreaker = new Gauge({
    name: 'bff_redis_breaker_state',
    help: 'Circuit breaker on Redis itself: 0 closed, 1 half-open, 2 open (open: shared features use local state).',
    registers,
    collect() {
      const state = readRedis?.();
      if (state !== undefined) redisBreaker.set(BREAKER_VALUE[state.breaker]);
    },
  });
  const redisCalls = new Counter({
    name: 'bff_redis_calls_total',
    help: 'Redis calls of the request path by outcome: ok, error, timeout, short_circuited (breaker open).',
    labelNames: ['outcome'],
    registers,
    collect() {
      const state = readRedis?.();
      if (state === undefined) return;
      redisCalls.reset();
      for (const [outcome, count] of Object.entries(state.calls)) redisCalls.inc({ outcome }, count);
    },
  });
  const breakerTransitions = new Counter({
    name: 'bff_upstream_breaker_transitions_total',
    help: 'Circuit breaker state changes by provider and new state.',
    labelNames: ['provider', 'to'],
    registers,
  });
  const throttleRejections = new Counter({
    name: 'bff_upstream_throttle_rejections_total',
    help: 'Calls refused by the outbound throttle because the wait would pass the deadline.',
    labelNames: ['provider', 'limit'],
    registers,
  });
  const throttleWait = new Histogram({
    name: 'bff_upstream_throttle_rejected_wait_seconds',
    help: 'The wait a refused call would have needed.',
    labelNames: ['provider'],
    buckets: SECONDS,
    registers,
  });
  const tokens = new Counter({
    name: 'bff_upstream_token_refreshes_total',
    help: 'OAuth2 token refreshes by outcome (fetched, shared, failed) and reason (cold, expired, unauthorized).',
    labelNames: ['provider', 'outcome', 'reason'],
    registers,
  });
  const quota = new Gauge({
    name: 'bff_upstream_quota_remaining',
    help: "The provider's remaining quota, from its last rate-limit headers.",
    labelNames: ['provider'],
    registers,
  });
  const inbound = new Counter({ name: 'bff_inbound_rate_limited_total', help: 'Requests refused by the inbound rate limit, by budget.', labelNames: ['kind'], registers });
  const cache = new Counter({ name: 'bff_response_cache_total', help: 'Response cache decisions by outcome (hit, miss, uncacheable, not-modified).', labelNames: ['outcome'], registers });
  const persisted = new Counter({
    name: 'bff_persisted_operations_audit_total',
    help: 'Unlisted documents that ran, by reason (audit mode, internal-client bypass).',
    labelNames: ['reason'],
    registers,
  });
  const limits = new Counter({
    name: 'bff_operation_limit_exceeded_total',
    help: 'Operation limits exceeded, by limit and whether the request was refused.',
    labelNames: ['limit', 'enforced'],
    registers,
  });

  const requestChild = cached((operation, outcome) => requestDuration.labels(operation, outcome));
  const errorChild = cached((code) => errors.labels(code));
  const attemptChild = cached((provider) => attemptDuration.labels(provider));
  const attemptCount = cached((provider, klass) => attempts.labels(provider, klass));
  const callChild = cached((provider, outcome) => calls.labels(provider, outcome));

  // Clients choose operation names: only the first `maxOperations` become label values.
  const operationLabel = (name: string): string => {
    if (operations.has(name)) return name;
    if (operations.size >= maxOperations) return 'other';
    operations.add(name);
    return name;
  };

  return {
    registry,
    request: (operation, outcome, seconds) => requestChild(operationLabel(operation), outcome).observe(seconds),
    error: (code) => errorChild(code).inc(),
    attempt(provider, status, seconds) {
      attemptChild(provider).observe(seconds);
      attemptCount(provider, statusClass(status)).inc();
    },
    upstreamCall: (provider, outcome) => callChild(provider, outcome).inc(),
    retry: (provider, reason) => retries.inc({ provider, reason }),
    breakerTransition: (provider, to) => breakerTransitions.inc({ provider, to }),
    throttled(provider, limit, waitSeconds) {
      throttleRejections.inc({ provider, limit });
      throttleWait.observe({ provider }, waitSeconds);
    },
    tokenRefresh: (provider, outcome, reason) => tokens.inc({ provider, outcome, reason }),
    quotaRemaining: (provider, remaining) => quota.set({ provider }, remaining),
    watchBreakers(read) {
      readBreakers = read;
    },
    watchAdmission(read) {
      readAdmission = read;
    },
    watchRedis(read) {
      readRedis = read;
    },
    inboundRateLimited: (kind) => inbound.inc({ kind }),
    responseCache: (outcome) => cache.inc({ outcome }),
    persistedAudit: (reason) => persisted.inc({ reason }),
    limitExceeded: (limit, enforced) => limits.inc({ limit, enforced: String(enforced) }),
    operationCost: (value) => cost.observe(value),
  };
}
