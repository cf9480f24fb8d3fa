// Retry policy: which calls may be retried, on which failures, and how long to wait.
// Hand-rolled rather than cockatiel's RetryPolicy: the wait must honour Retry-After, never pass
// the caller's deadline, draw from a per-provider budget, and run on the injected clock.
import type { Failure } from './classify';
import type { RetryOptions } from './options';
import type { UpstreamRequest } from './types';

/** GET/HEAD, a call marked idempotent (a GraphQL query), or one carrying an Idempotency-Key. */
export function isSafeToRetry(req: UpstreamRequest): boolean {
  return req.method === 'GET' || req.method === 'HEAD' || req.idempotent === true || req.idempotencyKey !== undefined;
}

/** Full-jitter exponential backoff before retry number `retry` (1-based). */
export function backoffMs(retry: number, options: RetryOptions, random: () => number): number {
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (retry - 1));
  return Math.floor(random() * ceiling);
}

export type RetryDecision =
  | { readonly retry: true; readonly waitMs: number }
  /** `retryAfterMs` is set when the provider asked for a wait that would pass the deadline. */
  | { readonly retry: false; readonly why: 'not_transient' | 'unsafe' | 'exhausted' | 'deadline' | 'budget'; readonly retryAfterMs?: number };

export interface RetryInput {
  readonly failure: Failure;
  readonly safe: boolean;
  /** Retries already made for this call. */
  readonly retriesSoFar: number;
  /** Milliseconds left before the deadline. */
  readonly remainingMs: number;
  readonly options: RetryOptions;
  readonly random: () => number;
  /** Asks the budget for one retry (consumes it when granted); called last. */
  readonly takeBudget: () => boolean;
}

export function decideRetry(input: RetryInput): RetryDecision {
  const { failure } = input;
  if (!failure.transient) return { retry: false, why: 'not_transient' };
  if (!input.safe) return { retry: false, why: 'unsafe' };
  if (input.retriesSoFar >= input.options.maxRetries) return { retry: false, why: 'exhausted' };
  const waitMs = failure.retryAfterMs ?? backoffMs(input.retriesSoFar + 1, input.options, input.random);
  // Waiting until the deadline leaves no time for the attempt itself: fail now and say how long.
  if (waitMs >= input.remainingMs) {
    return failure.retryAfterMs === undefined
      ? { retry: false, why: 'deadline' }
      : { retry: false, why: 'deadline', retryAfterMs: failure.retryAfterMs };
  }
  if (!input.takeBudget()) return { retry: false, why: 'budget' };
  return { retry: true, waitMs };
}
