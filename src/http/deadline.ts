// Deadline arithmetic and the per-attempt abort signal: an attempt gets
// min(attemptMs, deadlineAt - now), and dies early when the caller goes away.
import type { Clock } from './clock';
import type { CallContext } from './types';

/** Why an attempt's signal fired. */
export type AbortCause = 'timeout' | 'cancelled';

export class AttemptAbort extends Error {
  constructor(readonly why: AbortCause) {
    super(why === 'timeout' ? 'attempt timed out' : 'caller cancelled');
    this.name = 'AttemptAbort';
  }
}

/** Milliseconds left before the deadline (may be ≤ 0). */
export function remainingMs(ctx: CallContext, clock: Clock): number {
  return ctx.deadlineAt - clock.now();
}

export function attemptBudgetMs(ctx: CallContext, clock: Clock, attemptMs: number): number {
  return Math.min(attemptMs, remainingMs(ctx, clock));
}

export interface AttemptSignal extends Disposable {
  readonly signal: AbortSignal;
  /** Why the signal aborted, or undefined while it has not. */
  cause(): AbortCause | undefined;
}

/**
 * A signal that aborts after `ms` of real time (the socket is real, so its timeout is too)
 * or when the caller's signal aborts. Dispose to clear the timer and listener.
 */
export function attemptSignal(ms: number, callerSignal: AbortSignal | undefined): AttemptSignal {
  const controller = new AbortController();
  let why: AbortCause | undefined;
  const abort = (cause: AbortCause): void => {
    if (why !== undefined) return;
    why = cause;
    controller.abort(new AttemptAbort(cause));
  };
  const timer = setTimeout(() => abort('timeout'), Math.max(0, ms));
  const onCallerAbort = (): void => abort('cancelled');
  if (callerSignal?.aborted === true) abort('cancelled');
  else callerSignal?.addEventListener('abort', onCallerAbort, { once: true });
  return {
    signal: controller.signal,
    cause: () => why,
    [Symbol.dispose]() {
      clearTimeout(timer);
      callerSignal?.removeEventListener('abort', onCallerAbort);
    },
  };
}

/** Sleeps on the clock but never past the deadline; rejects when the caller goes away. */
export async function waitWithin(clock: Clock, ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (ms <= 0) {
    if (signal?.aborted === true) throw new AttemptAbort('cancelled');
    return;
  }
  try {
    await clock.sleep(ms, signal);
  } catch (error) {
    if (signal?.aborted === true) throw new AttemptAbort('cancelled');
    throw error;
  }
}

/** Rejects if `promise` has not settled after `ms` of real time (for calls to Redis). */
export async function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new AttemptAbort('timeout')), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
