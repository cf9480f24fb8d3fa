// Turns one attempt's outcome (a status, or a thrown network/timeout error) into either a
// response the provider maps itself, or a Failure: the AppError plus what retry and breaker need.
import { errors as undiciErrors } from 'undici';
import { upstreamError, type AppError } from '../errors/app-error';
import type { ErrorCode } from '../errors/codes';
import { AttemptAbort } from './deadline';
import { ResponseTooLarge } from './dispatch';

/** Why an attempt failed; also the `retryReason` of the next attempt's event. */
export type FailureReason =
  | 'timeout'
  | 'cancelled'
  | 'network'
  | 'rate_limited'
  | 'server_error'
  | 'unauthorized'
  | 'forbidden'
  | 'bad_response';

export interface Failure {
  readonly reason: FailureReason;
  readonly code: ErrorCode;
  /** The provider's status, when it answered. */
  readonly status?: number;
  /** Transient: worth another attempt if the call is safe (network, 429, 502, 503, 504). */
  readonly transient: boolean;
  /** Counts against the provider's health (circuit breaker). */
  readonly unhealthy: boolean;
  /** Wait the provider asked for (Retry-After), in ms. */
  readonly retryAfterMs?: number;
  /** Underlying error, kept for logs. */
  readonly cause?: unknown;
  /** The answer's headers, when there was one (rate-limit headers for events). */
  readonly headers?: Readonly<Record<string, string>>;
}

const RETRIED_STATUSES: ReadonlySet<number> = new Set([502, 503, 504]);

/** Retry-After as delta-seconds or HTTP-date (RFC 9110 §10.2.3), in ms from `now`. */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  // All three HTTP-date forms start with a day name; Date.parse alone would read "-3" as a year.
  if (!/^[A-Za-z]{3}/.test(trimmed)) return undefined;
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/** A status outside 2xx and the pass list, as a Failure; undefined when the caller gets the response. */
export function classifyStatus(
  status: number,
  headers: Readonly<Record<string, string>>,
  passStatuses: ReadonlySet<number>,
  now: number,
): Failure | undefined {
  if ((status >= 200 && status < 300) || passStatuses.has(status)) return undefined;
  if (status === 429) {
    const retryAfterMs = parseRetryAfter(headers['retry-after'], now);
    return {
      reason: 'rate_limited',
      code: 'UPSTREAM_RATE_LIMITED',
      status,
      transient: true,
      unhealthy: false,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    };
  }
  if (status === 401) return { reason: 'unauthorized', code: 'UPSTREAM_AUTH_FAILED', status, transient: false, unhealthy: false };
  if (status === 403) return { reason: 'forbidden', code: 'UPSTREAM_AUTH_FAILED', status, transient: false, unhealthy: false };
  if (status === 408) return { reason: 'timeout', code: 'UPSTREAM_TIMEOUT', status, transient: false, unhealthy: true };
  if (status >= 500) {
    const retryAfterMs = status === 503 ? parseRetryAfter(headers['retry-after'], now) : undefined;
    return {
      reason: 'server_error',
      code: 'UPSTREAM_UNAVAILABLE',
      status,
      transient: RETRIED_STATUSES.has(status),
      unhealthy: true,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    };
  }
  // Any other 1xx/3xx/4xx: our call or their answer broke the contract.
  return { reason: 'bad_response', code: 'UPSTREAM_BAD_RESPONSE', status, transient: false, unhealthy: false };
}

const TIMEOUT_ERRORS = ['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT'];

/** A thrown error from one attempt (abort, timeout, socket) as a Failure. */
export function classifyThrown(error: unknown): Failure {
  if (error instanceof AttemptAbort) {
    return error.why === 'timeout'
      ? { reason: 'timeout', code: 'UPSTREAM_TIMEOUT', transient: false, unhealthy: true, cause: error }
      : { reason: 'cancelled', code: 'UPSTREAM_TIMEOUT', transient: false, unhealthy: false, cause: error };
  }
  // Not retried (the same call gets the same answer) and not held against the provider's health.
  if (error instanceof ResponseTooLarge) return badBody(error.status, error);
  const code = error instanceof undiciErrors.UndiciError ? error.code : undefined;
  if (code !== undefined && TIMEOUT_ERRORS.includes(code)) {
    return { reason: 'timeout', code: 'UPSTREAM_TIMEOUT', transient: false, unhealthy: true, cause: error };
  }
  // Connect timeouts, refused/reset sockets, DNS: the request may not even have left; retry is safe for safe calls.
  return { reason: 'network', code: 'UPSTREAM_UNAVAILABLE', transient: true, unhealthy: true, cause: error };
}

export function badBody(status: number, cause: unknown): Failure {
  return { reason: 'bad_response', code: 'UPSTREAM_BAD_RESPONSE', status, transient: false, unhealthy: false, cause };
}

/** The AppError a caller sees for a Failure; details only in `meta`. */
export function failureToError(
  provider: string,
  failure: Failure,
  meta: Record<string, unknown>,
  retryAfterMs?: number,
): AppError {
  const wait = retryAfterMs ?? failure.retryAfterMs;
  return upstreamError(failure.code, provider, {
    cause: failure.cause,
    meta: { ...meta, reason: failure.reason, ...(failure.status === undefined ? {} : { status: failure.status }) },
    ...(wait === undefined ? {} : { retryAfterSeconds: Math.max(1, Math.ceil(wait / 1000)) }),
  });
}
