// The load generator: autocannon as a library, closed loop (N connections, each sends as soon as its
// previous answer arrived) or at a fixed overall rate. Latencies are kept exactly (autocannon's own
// histogram rounds to whole milliseconds, too coarse at one connection).
import autocannon from 'autocannon';
import type { RequestSpec } from './operations';

export interface LoadOptions {
  /** Origins (`http://127.0.0.1:port`); connections are split evenly between them (round robin per connection). */
  readonly origins: readonly string[];
  readonly spec: RequestSpec;
  readonly connections: number;
  readonly durationS: number;
  /** Fixed overall request rate (requests/s); closed loop when undefined. */
  readonly rate?: number;
  /**
   * Seconds at the start of `durationS` under load but not measured, so that the window opens on a
   * steady state: the answers in it then stand for the CPU spent in it (the partial work in flight
   * at its start and at its end balance out). From idle, the work of the 50 answers still in flight
   * at the end is spent but never counted. @default 0
   */
  readonly unmeasuredS?: number;
  /** Called as the measured window opens (to read the target's CPU time there). */
  readonly onMeasureStart?: () => void;
}

export interface LoadResult {
  /** Answers received (any status). */
  readonly requests: number;
  readonly durationS: number;
  readonly rps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly non2xx: number;
  /** Connection errors and timeouts. */
  readonly errors: number;
  /** Answers whose body carries GraphQL `errors` (a 200 with partial data counts here). */
  readonly graphqlErrors: number;
  /** extensions.code of those errors, counted. */
  readonly errorCodes: Readonly<Record<string, number>>;
}

class ErrorTally {
  answers = 0;
  readonly codes: Record<string, number> = {};
  see(body: string): void {
    if (!body.includes('"errors"')) return;
    this.answers += 1;
    for (const match of body.matchAll(/"code":"([A-Z_]+)"/g)) {
      const code = match[1] ?? '?';
      this.codes[code] = (this.codes[code] ?? 0) + 1;
    }
  }
}

class Samples {
  #data = new Float64Array(65_536);
  #n = 0;
  push(value: number): void {
    if (this.#n === this.#data.length) {
      const bigger = new Float64Array(this.#data.length * 2);
      bigger.set(this.#data);
      this.#data = bigger;
    }
    this.#data[this.#n++] = value;
  }
  percentile(p: number): number {
    if (this.#n === 0) return Number.NaN;
    const sorted = this.#data.slice(0, this.#n).sort();
    return sorted[Math.min(this.#n - 1, Math.max(0, Math.ceil((p / 100) * this.#n) - 1))] ?? Number.NaN;
  }
}

/** Whether answers count yet: the measured window opens `unmeasuredS` into the run. */
interface Window {
  open: boolean;
}

function runOne(origin: string, spec: RequestSpec, connections: number, durationS: number, rate: number | undefined, totals: LoadTotals, window: Window): Promise<autocannon.Result> {
  const { body } = spec;
  const request: autocannon.Request = {
    method: spec.method,
    path: spec.path,
    headers: { ...spec.headers },
    onResponse: (_status: number, responseBody: string) => {
      if (window.open) totals.tally.see(responseBody);
    },
    ...(typeof body === 'string' ? { body } : {}),
    ...(typeof body === 'function'
      ? {
          setupRequest: (req: autocannon.Request) => {
            req.body = body();
            return req;
          },
        }
      : {}),
  };
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: origin,
        connections,
        duration: durationS,
        timeout: 30,
        requests: [request],
        ...(rate === undefined ? {} : { overallRate: rate }),
      },
      (error, result) => (error ? reject(error) : resolve(result)),
    );
    instance.on('response', (_client: unknown, status: number, _bytes: number, responseTime: number) => {
      totals.answered += 1;
      if (!window.open) return;
      totals.samples.push(responseTime);
      totals.requests += 1;
      if (status < 200 || status > 299) totals.non2xx += 1;
    });
  });
}

/**
 * What the slices of one cell add up to: the matrix measures each cell in several slices,
 * interleaved with the other targets' (matrix.ts says why); a single run uses a fresh one.
 */
export class LoadTotals {
  readonly samples = new Samples();
  readonly tally = new ErrorTally();
  /** Answers in measured windows (any status). */
  requests = 0;
  /** Every answer, unmeasured seconds included (what a CPU profile spanning the slices saw). */
  answered = 0;
  durationS = 0;
  non2xx = 0;
  /** Connection errors and timeouts of the whole runs: autocannon counts them per run, not per window. */
  errors = 0;

  result(): LoadResult {
    return {
      requests: this.requests,
      durationS: this.durationS,
      rps: this.durationS > 0 ? this.requests / this.durationS : Number.NaN,
      p50Ms: this.samples.percentile(50),
      p99Ms: this.samples.percentile(99),
      non2xx: this.non2xx,
      errors: this.errors,
      graphqlErrors: this.tally.answers,
      errorCodes: this.tally.codes,
    };
  }
}

/** Runs the load; with `totals`, adds to them and returns what they hold so far. */
export async function runLoad(options: LoadOptions, totals = new LoadTotals()): Promise<LoadResult> {
  const n = options.origins.length;
  const unmeasuredS = Math.min(options.unmeasuredS ?? 0, options.durationS);
  const window: Window = { open: false };
  let opened = 0;
  const open = () => {
    options.onMeasureStart?.();
    opened = performance.now();
    window.open = true;
  };
  const timer = unmeasuredS > 0 ? setTimeout(open, unmeasuredS * 1000) : undefined;
  if (timer === undefined) open();
  try {
    const results = await Promise.all(
      options.origins.map((origin, i) => {
        const connections = Math.floor(options.connections / n) + (i < options.connections % n ? 1 : 0);
        const rate = options.rate === undefined ? undefined : options.rate / n;
        return runOne(origin, options.spec, Math.max(1, connections), options.durationS, rate, totals, window);
      }),
    );
    if (window.open) totals.durationS += (performance.now() - opened) / 1000;
    totals.errors += results.reduce((sum, r) => sum + r.errors, 0);
  } finally {
    clearTimeout(timer);
  }
  return totals.result();
}
