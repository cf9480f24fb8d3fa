// Outbound throttle of one provider: a concurrency slot, then a token from the bucket.
// Callers wait within their deadline; when the wait cannot fit they fail with
// UPSTREAM_RATE_LIMITED at once (with the wait as retryAfterSeconds), not at the deadline.
import { upstreamError } from '../errors/app-error';
import type { Clock } from './clock';
import type { ConcurrencyLimit } from './concurrency';
import { AttemptAbort, attemptSignal, waitWithin } from './deadline';
import { publishThrottle } from './events';
import type { TokenBucket } from './token-bucket';
import type { CallContext } from './types';

export interface Throttle {
  /** Resolves with the slot's release function; throws AppError or AttemptAbort('cancelled'). */
  acquire(ctx: CallContext): Promise<() => void>;
}

export function createThrottle(
  provider: string,
  clock: Clock,
  concurrency: ConcurrencyLimit,
  bucket: TokenBucket | undefined,
): Throttle {
  const limited = (ctx: CallContext, limit: 'rate' | 'concurrency', waitMs: number): Error => {
    publishThrottle({ provider, requestId: ctx.requestId, limit, waitMs });
    return upstreamError('UPSTREAM_RATE_LIMITED', provider, {
      meta: { limit, waitMs, throttle: 'outbound' },
      retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)),
    });
  };

  const slot = async (ctx: CallContext): Promise<() => void> => {
    const remaining = ctx.deadlineAt - clock.now();
    if (remaining <= 0) throw limited(ctx, 'concurrency', 0);
    if (ctx.signal?.aborted === true) throw new AttemptAbort('cancelled');
    // The common case, a free slot, needs no timer and no abort listener.
    const free = concurrency.tryAcquire();
    if (free) return free;
    // Slots free up with real I/O, so this wait is bounded by a real timer.
    using wait = attemptSignal(remaining, ctx.signal);
    try {
      return await concurrency.acquire(wait.signal);
    } catch (error) {
      if (error instanceof AttemptAbort && error.why === 'timeout') throw limited(ctx, 'concurrency', remaining);
      throw error;
    }
  };

  return {
    async acquire(ctx) {
      const release = await slot(ctx);
      if (bucket === undefined) return release;
      try {
        const remaining = ctx.deadlineAt - clock.now();
        const reservation = await bucket.reserve(remaining);
        if (!reservation.granted) throw limited(ctx, 'rate', reservation.waitMs);
        await waitWithin(clock, reservation.waitMs, ctx.signal);
        return release;
      } catch (error) {
        release();
        throw error;
      }
    },
  };
}
