// Concurrency cap per provider: at most `limit` attempts on the wire; others queue in order.
export interface ConcurrencyLimit {
  /** Resolves with a release function once a slot is free; rejects with `signal.reason` on abort. */
  acquire(signal: AbortSignal): Promise<() => void>;
  /** A release function when a slot is free right now (no queue, no timer), else undefined. */
  tryAcquire(): (() => void) | undefined;
  inFlight(): number;
  queued(): number;
}

interface Waiter {
  readonly grant: () => void;
}

export function createConcurrencyLimit(limit: number): ConcurrencyLimit {
  let active = 0;
  const queue: Waiter[] = [];

  const release = (): void => {
    const next = queue.shift();
    if (next === undefined) active -= 1;
    else next.grant();
  };
  const releaseOnce = (): (() => void) => {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      release();
    };
  };

  return {
    inFlight: () => active,
    queued: () => queue.length,
    tryAcquire() {
      if (active >= limit || queue.length > 0) return undefined;
      active += 1;
      return releaseOnce();
    },
    acquire(signal) {
      if (signal.aborted) return Promise.reject(signal.reason);
      if (active < limit) {
        active += 1;
        return Promise.resolve(releaseOnce());
      }
      return new Promise((resolve, reject) => {
        const onAbort = (): void => {
          const index = queue.indexOf(waiter);
          if (index >= 0) queue.splice(index, 1);
          reject(signal.reason);
        };
        // The slot passes straight from the releaser to this waiter; `active` is unchanged.
        const waiter: Waiter = {
          grant: () => {
            signal.removeEventListener('abort', onAbort);
            resolve(releaseOnce());
          },
        };
        queue.push(waiter);
        signal.addEventListener('abort', onAbort, { once: true });
      });
    },
  };
}
