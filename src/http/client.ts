// createProviderClient: one provider's resilient HTTP client. Composes, per attempt:
// deadline → breaker → throttle (concurrency, bucket) → auth → attempt timeout → dispatch → classify,
// and around the attempts the retry loop (safe calls, budget, Retry-After) and the 401 re-send.
import { performance } from 'node:perf_hooks';
import { AppError, upstreamError } from '../errors/app-error';
import type { BreakerState } from '../observability/channels';
import { createPool } from './agent';
import { createAuth, type AuthHeaders } from './auth';
import { createBreaker, type AttemptHealth } from './breaker';
import { badBody, classifyStatus, classifyThrown, failureToError, type Failure } from './classify';
import { createConcurrencyLimit } from './concurrency';
import { AttemptAbort, waitWithin } from './deadline';
import { sendOnce, type WireResponse } from './dispatch';
import { publishAttempt, publishBreaker, publishRequest, rateLimitHeaders } from './events';
import { resolveOptions, type ProviderClientOptions, type ResolvedOptions } from './options';
import { decideRetry, isSafeToRetry } from './retry';
import { createRetryBudget } from './retry-budget';
import { createThrottle } from './throttle';
import { createMemoryBucket, createRedisBucket, type TokenBucket } from './token-bucket';
import type { CallContext, ProviderHttpClient, UpstreamRequest, UpstreamResponse } from './types';

/** A provider client whose circuit state can be read (health checks, tests, dashboards). */
export interface ResilientHttpClient extends ProviderHttpClient {
  breakerState(): BreakerState;
}

type AttemptResult = { readonly response: UpstreamResponse } | { readonly failure: Failure };

function wirePath(basePath: string, req: UpstreamRequest): string {
  const path = req.path.startsWith('/') ? req.path : `/${req.path}`;
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(req.query ?? {})) {
    if (value !== undefined) params.append(name, String(value));
  }
  const search = params.size > 0 ? `?${params.toString()}` : '';
  return `${basePath}${path}${search}`;
}

function lowerCased(headers: Readonly<Record<string, string>> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) out[name.toLowerCase()] = value;
  return out;
}

function decode(wire: WireResponse, method: string, passThrough: boolean): AttemptResult {
  if (wire.text === '' || method === 'HEAD') {
    return { response: { status: wire.status, headers: wire.headers, body: undefined } };
  }
  try {
    return { response: { status: wire.status, headers: wire.headers, body: JSON.parse(wire.text) as unknown } };
  } catch (error) {
    // A 404 page in HTML still means "not found": the provider maps the status, not the body.
    if (passThrough) return { response: { status: wire.status, headers: wire.headers, body: undefined } };
    return { failure: badBody(wire.status, error) };
  }
}

function health(result: AttemptResult): AttemptHealth {
  if ('response' in result) return 'success';
  if (result.failure.reason === 'cancelled') return 'ignored';
  return result.failure.unhealthy ? 'failure' : 'success';
}

function bucketFor(o: ResolvedOptions): TokenBucket | undefined {
  if (o.rateLimit === undefined) return undefined;
  if (o.shared === undefined) return createMemoryBucket(o.rateLimit, o.clock);
  return createRedisBucket(o.rateLimit, o.clock, o.shared.redis, `${o.shared.keyPrefix}bucket:${o.name}`, o.shared.guard);
}

export function createProviderClient(options: ProviderClientOptions): ResilientHttpClient {
  const o = resolveOptions(options);
  const { clock, name: provider } = o;
  const pool = createPool(o.baseUrl.origin, {
    connections: o.connections,
    connectMs: o.timeouts.connectMs,
    keepAliveMs: o.timeouts.keepAliveMs,
    attemptMs: o.timeouts.attemptMs,
  });
  const basePath = o.baseUrl.pathname.replace(/\/+$/, '');
  const auth = createAuth(o);
  const breaker = createBreaker(o.breaker, clock, (from, to) => publishBreaker({ provider, from, to, at: clock.now() }));
  const budget = createRetryBudget(o.retry, clock);
  const throttle = createThrottle(provider, clock, createConcurrencyLimit(o.maxConcurrent), bucketFor(o));

  const cancelled = (meta: Record<string, unknown>): AppError =>
    upstreamError('UPSTREAM_TIMEOUT', provider, { meta: { ...meta, reason: 'cancelled' } });

  async function attemptOnce(req: UpstreamRequest, ctx: CallContext, wire: { path: string; headers: Record<string, string>; body: string | undefined }, authUsed: AuthHeaders): Promise<AttemptResult> {
    const timeoutMs = Math.min(o.timeouts.attemptMs, ctx.deadlineAt - clock.now());
    if (timeoutMs <= 0) return { failure: classifyThrown(new AttemptAbort('timeout')) };
    try {
      const res = await sendOnce(
        pool,
        { method: req.method, path: wire.path, headers: { ...wire.headers, ...authUsed.headers }, body: wire.body },
        timeoutMs,
        ctx.signal,
        o.maxResponseBytes,
      );
      const failure = classifyStatus(res.status, res.headers, o.passStatuses, clock.now());
      if (failure !== undefined) return { failure: { ...failure, headers: res.headers } };
      return decode(res, req.method, res.status >= 300);
    } catch (error) {
      return { failure: classifyThrown(error) };
    }
  }

  async function run(req: UpstreamRequest, ctx: CallContext, stats: { attempts: number; status: number | undefined }): Promise<UpstreamResponse> {
    const safe = isSafeToRetry(req);
    const headers: Record<string, string> = {
      ...lowerCased(ctx.headers),
      ...lowerCased(req.headers),
      accept: 'application/json',
      'x-request-id': ctx.requestId,
    };
    const body = req.body === undefined ? undefined : JSON.stringify(req.body);
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (req.idempotencyKey !== undefined) headers['idempotency-key'] = req.idempotencyKey;
    const wire = { path: wirePath(basePath, req), headers, body };
    const meta = { method: req.method, route: req.route };

    let retries = 0;
    let reauthenticated = false;
    let retryReason: string | undefined;

    for (;;) {
      if (ctx.signal?.aborted === true) throw cancelled(meta);
      if (ctx.deadlineAt - clock.now() <= 0) {
        throw upstreamError('UPSTREAM_TIMEOUT', provider, { meta: { ...meta, reason: 'deadline', attempts: stats.attempts } });
      }
      const permit = breaker.admit();
      if (permit === undefined) {
        const wait = breaker.reopenInMs();
        throw upstreamError('UPSTREAM_UNAVAILABLE', provider, {
          meta: { ...meta, reason: 'circuit_open', attempts: stats.attempts },
          ...(wait > 0 ? { retryAfterSeconds: Math.ceil(wait / 1000) } : {}),
        });
      }

      let release: () => void;
      let authUsed: AuthHeaders;
      try {
        release = await throttle.acquire(ctx);
      } catch (error) {
        breaker.record(permit, 'ignored');
        if (error instanceof AttemptAbort) throw cancelled(meta);
        throw error;
      }
      const started = performance.now();
      let at = clock.now();
      let result: AttemptResult;
      try {
        authUsed = await auth.headers(ctx);
        at = clock.now();
        stats.attempts += 1;
        // The budget's base is calls that reached the wire, not calls the open circuit refused.
        if (stats.attempts === 1) budget.recordRequest();
        result = await attemptOnce(req, ctx, wire, authUsed);
      } catch (error) {
        // Only auth can throw here (token endpoint refused or too slow): no attempt was made.
        breaker.record(permit, 'ignored');
        throw error;
      } finally {
        release();
      }
      breaker.record(permit, health(result));
      const answer = 'response' in result ? result.response : undefined;
      const failure = 'failure' in result ? result.failure : undefined;
      stats.status = answer?.status ?? failure?.status;
      const answerHeaders = answer?.headers ?? failure?.headers;
      publishAttempt({
        provider,
        requestId: ctx.requestId,
        method: req.method,
        route: req.route,
        attempt: stats.attempts,
        status: stats.status,
        outcome: answer !== undefined ? (answer.status < 300 ? 'ok' : 'pass') : (failure?.reason ?? 'unknown'),
        retryReason,
        at,
        durationMs: performance.now() - started,
        breakerState: breaker.state(),
        rateLimit: answerHeaders === undefined ? undefined : rateLimitHeaders(answerHeaders),
      });
      if (failure === undefined) {
        if (answer === undefined) throw upstreamError('UPSTREAM_BAD_RESPONSE', provider, { meta });
        return answer;
      }

      const failMeta = { ...meta, attempts: stats.attempts };
      // A 401 with a cached OAuth2 token: refresh once and re-send once, whatever the method
      // (the provider refused before doing anything).
      if (failure.reason === 'unauthorized' && !reauthenticated && auth.unauthorized(authUsed)) {
        reauthenticated = true;
        retryReason = failure.reason;
        continue;
      }
      if (failure.reason === 'cancelled') throw cancelled(failMeta);
      const decision = decideRetry({
        failure,
        safe,
        retriesSoFar: retries,
        remainingMs: ctx.deadlineAt - clock.now(),
        options: o.retry,
        random: o.random,
        takeBudget: () => budget.tryRetry(),
      });
      if (!decision.retry) throw failureToError(provider, failure, { ...failMeta, retry: decision.why }, decision.retryAfterMs);
      try {
        await waitWithin(clock, decision.waitMs, ctx.signal);
      } catch (error) {
        if (error instanceof AttemptAbort) throw cancelled(failMeta);
        throw error;
      }
      retries += 1;
      retryReason = failure.reason;
    }
  }

  return {
    provider,
    breakerState: () => breaker.state(),
    async request(req, ctx) {
      const started = performance.now();
      const stats = { attempts: 0, status: undefined as number | undefined };
      const report = (outcome: string): void =>
        publishRequest({
          provider,
          requestId: ctx.requestId,
          method: req.method,
          route: req.route,
          attempts: stats.attempts,
          status: stats.status,
          outcome,
          durationMs: performance.now() - started,
        });
      try {
        const response = await run(req, ctx, stats);
        report('ok');
        return response;
      } catch (error) {
        report(error instanceof AppError ? error.code : 'INTERNAL_SERVER_ERROR');
        throw error;
      }
    },
    async close() {
      await Promise.all([pool.close(), auth.close()]);
    },
  };
}
