// What a simulated provider received: the recorded requests, counting by method/path, and
// waiting for "the Nth request has arrived" without sleeping.
import { matchesRequest, type RequestMatch } from './faults';

/** A request as the provider saw it. */
export interface ProviderRequest {
  readonly method: string;
  /** Without the query string. */
  readonly path: string;
  /** Query parameters; the last value wins for repeated names. */
  readonly query: Readonly<Record<string, string>>;
  /** Every header, lower-case names; repeated values joined with `, `. */
  readonly headers: Readonly<Record<string, string>>;
  /** Parsed JSON or form body; the raw text when it did not parse; absent without a body. */
  readonly body?: unknown;
}

interface Waiter {
  readonly n: number;
  readonly filter: RequestMatch | undefined;
  settle(error?: Error): void;
}

export class RequestLog {
  readonly #requests: ProviderRequest[] = [];
  readonly #waiters = new Set<Waiter>();

  get requests(): readonly ProviderRequest[] {
    return this.#requests;
  }

  record(request: ProviderRequest): void {
    this.#requests.push(request);
    if (this.#waiters.size === 0) return;
    for (const waiter of [...this.#waiters]) if (this.count(waiter.filter) >= waiter.n) waiter.settle();
  }

  count(filter?: RequestMatch): number {
    let n = 0;
    for (const r of this.#requests) if (matchesRequest(filter, r.method, r.path)) n += 1;
    return n;
  }

  reset(): void {
    this.#requests.length = 0;
  }

  waitFor(n: number, filter?: RequestMatch): Promise<void> {
    if (this.count(filter) >= n) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        n,
        filter,
        settle: (error) => {
          this.#waiters.delete(waiter);
          if (error) reject(error);
          else resolve();
        },
      };
      this.#waiters.add(waiter);
    });
  }

  /** Rejects every pending `waitFor`. */
  abandonWaiters(reason: Error): void {
    for (const waiter of [...this.#waiters]) waiter.settle(reason);
  }
}
