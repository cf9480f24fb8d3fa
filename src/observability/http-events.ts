// Subscribes one gateway's telemetry to the http core's diagnostics channels: metrics, one log line
// per upstream attempt (route template, never the URL), and attempt spans under the call's parent.
// Events outside this gateway's call scopes (another gateway in the same process) are ignored.
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { AsyncLocalStorage } from 'node:async_hooks';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Tracer } from '@opentelemetry/api';
import type { Logger } from 'pino';
import type { CallScope } from './call-scope';
import {
  HTTP_CHANNELS,
  type BreakerStateEvent,
  type HttpAttemptEvent,
  type HttpRequestEvent,
  type ThrottleEvent,
  type TokenRefreshEvent,
} from './channels';
import type { GatewayMetrics } from './metrics';
import { remainingQuota } from './quota';

export interface HttpEventSinks {
  readonly scope: AsyncLocalStorage<CallScope>;
  readonly metrics: GatewayMetrics;
  /** Telemetry's own lines (fields built here, from the event). */
  readonly lines: Logger;
  /** `failed`: only attempts that failed or were retries get a line. */
  readonly logAttempts: 'all' | 'failed';
  tracer(): Tracer | undefined;
}

const round = (ms: number): number => Math.round(ms * 100) / 100;

export function subscribeHttpEvents(sinks: HttpEventSinks): () => void {
  const { scope, metrics, lines } = sinks;

  function onAttempt(message: unknown): void {
    const s = scope.getStore();
    if (s === undefined) return;
    const e = message as HttpAttemptEvent;
    metrics.attempt(e.provider, e.status, e.durationMs / 1000);
    // The retry's reason is what the previous attempt got: its status when it had one (502, 429…).
    const retryReason = e.retryReason === undefined ? undefined : s.lastStatus === undefined ? e.retryReason : String(s.lastStatus);
    if (retryReason !== undefined) metrics.retry(e.provider, retryReason);
    s.lastStatus = e.status;
    if (s.record !== undefined) {
      s.record.upstreamAttempts += 1;
      if (retryReason !== undefined) s.record.upstreamRetries += 1;
    }
    if (e.rateLimit !== undefined) {
      const remaining = remainingQuota(e.rateLimit);
      if (remaining !== undefined) metrics.quotaRemaining(e.provider, remaining);
    }
    const ok = e.outcome === 'ok' || e.outcome === 'pass';
    const level = ok ? 'info' : 'warn';
    if ((sinks.logAttempts === 'all' || !ok || retryReason !== undefined) && lines.isLevelEnabled(level)) {
      lines[level](
        {
          requestId: e.requestId,
          provider: e.provider,
          method: e.method,
          route: e.route,
          status: e.status,
          attempt: e.attempt,
          outcome: e.outcome,
          retryReason,
          durationMs: round(e.durationMs),
          breaker: e.breakerState,
          rateLimit: e.rateLimit,
        },
        'upstream attempt',
      );
    }
    const tracer = sinks.tracer();
    if (tracer !== undefined && s.parent !== undefined) {
      const end = Date.now();
      const span = tracer.startSpan(
        `${e.method} ${e.route}`,
        {
          kind: SpanKind.CLIENT,
          startTime: end - e.durationMs,
          attributes: {
            'bff.request_id': e.requestId,
            'bff.provider': e.provider,
            'http.request.method': e.method,
            'url.template': e.route,
            'http.request.resend_count': e.attempt - 1,
            'bff.outcome': e.outcome,
            'bff.breaker_state': e.breakerState,
            ...(e.status === undefined ? {} : { 'http.response.status_code': e.status }),
            ...(retryReason === undefined ? {} : { 'bff.retry_reason': retryReason }),
          },
        },
        trace.setSpan(ROOT_CONTEXT, s.parent),
      );
      if (!ok) span.setStatus({ code: SpanStatusCode.ERROR, message: e.outcome });
      span.end(end);
    }
  }

  function onRequest(message: unknown): void {
    const s = scope.getStore();
    if (s === undefined) return;
    const e = message as HttpRequestEvent;
    metrics.upstreamCall(e.provider, e.outcome);
    if (s.record !== undefined) s.record.upstreamCalls += 1;
  }

  function onBreaker(message: unknown): void {
    const s = scope.getStore();
    if (s === undefined) return;
    const e = message as BreakerStateEvent;
    metrics.breakerTransition(e.provider, e.to);
    lines.warn({ requestId: s.record?.requestId, provider: e.provider, from: e.from, to: e.to }, 'upstream breaker');
  }

  function onToken(message: unknown): void {
    const s = scope.getStore();
    if (s === undefined) return;
    const e = message as TokenRefreshEvent;
    metrics.tokenRefresh(e.provider, e.outcome, e.reason);
    const level = e.outcome === 'failed' ? 'warn' : 'info';
    lines[level](
      { requestId: s.record?.requestId, provider: e.provider, outcome: e.outcome, reason: e.reason, durationMs: round(e.durationMs), expiresInSeconds: e.expiresInSeconds },
      'upstream token',
    );
  }

  function onThrottle(message: unknown): void {
    if (scope.getStore() === undefined) return;
    const e = message as ThrottleEvent;
    metrics.throttled(e.provider, e.limit, e.waitMs / 1000);
    lines.warn({ requestId: e.requestId, provider: e.provider, limit: e.limit, waitMs: round(e.waitMs) }, 'upstream throttled');
  }

  const handlers: [string, (message: unknown) => void][] = [
    [HTTP_CHANNELS.attempt, onAttempt],
    [HTTP_CHANNELS.request, onRequest],
    [HTTP_CHANNELS.breaker, onBreaker],
    [HTTP_CHANNELS.token, onToken],
    [HTTP_CHANNELS.throttle, onThrottle],
  ];
  for (const [name, handler] of handlers) subscribe(name, handler);
  return () => {
    for (const [name, handler] of handlers) unsubscribe(name, handler);
  };
}
