// The load generator: autocannon as a library, closed loop (N connections, each sends as soon as its
// previous answer arrived) or at a fixed overall rate. Latencies are kept exactly (autocannon's own
// histogram rounds to whole milliseconds, too coarse at one connection). autocannon itself runs in a
// worker thread (load-worker.ts), so that it does not share a loop with the simulated providers.
import { Worker } from 'node:worker_threads';
import type { LoadJob, LoadJobCounts, LoadJobReport } from './load-worker';
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
  /**
   * Seconds at the end of `durationS` under load but not measured: the window closes before the load
   * stops, so that what the target does when its clients' connections close with answers in flight
   * (cancelling them, or finishing them for nobody) is not counted. @default 0
   */
  readonly unmeasuredTailS?: number;
  /** Called as the measured window opens (to read the target's CPU time there). */
  readonly onMeasureStart?: () => void;
  /** Called as the measured window closes, while the load still runs (to read the target's CPU time there). */
  readonly onMeasureEnd?: () => void;
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

class Samples {
  #data = new Float64Array(65_536);
  #n = 0;
  pushAll(values: Float64Array): void {
    if (this.#n + values.length > this.#data.length) {
      const bigger = new Float64Array(Math.max(this.#data.length * 2, this.#n + values.length));
      bigger.set(this.#data.subarray(0, this.#n));
      this.#data = bigger;
    }
    this.#data.set(values, this.#n);
    this.#n += values.length;
  }
  percentile(p: number): number {
    if (this.#n === 0) return Number.NaN;
    const sorted = this.#data.slice(0, this.#n).sort();
    return sorted[Math.min(this.#n - 1, Math.max(0, Math.ceil((p / 100) * this.#n) - 1))] ?? Number.NaN;
  }
}

/**
 * What the slices of one cell add up to: the matrix measures each cell in several slices,
 * interleaved with the other targets' (matrix.ts says why); a single run uses a fresh one.
 */
export class LoadTotals {
  readonly samples = new Samples();
  graphqlErrors = 0;
  readonly errorCodes: Record<string, number> = {};
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
      graphqlErrors: this.graphqlErrors,
      errorCodes: this.errorCodes,
    };
  }

  add(counts: LoadJobCounts): void {
    this.samples.pushAll(counts.samples);
    this.requests += counts.samples.length;
    this.answered += counts.answered;
    this.durationS += counts.measuredS;
    this.non2xx += counts.non2xx;
    this.errors += counts.errors;
    this.graphqlErrors += counts.graphqlErrors;
    for (const [code, n] of Object.entries(counts.errorCodes)) this.errorCodes[code] = (this.errorCodes[code] ?? 0) + n;
  }
}

let worker: Worker | undefined;
let nextJob = 0;
const pending = new Map<number, { readonly report: (r: LoadJobReport) => void }>();

/** The load generator's thread (load-worker.ts says why), started once; it holds the process open only while a job runs. */
function loadWorker(): Worker {
  if (worker !== undefined) return worker;
  const started = new Worker(new URL('./load-worker.ts', import.meta.url));
  started.unref();
  started.on('message', (report: LoadJobReport) => pending.get(report.id)?.report(report));
  // A thread that dies fails the jobs it held instead of leaving them waiting forever.
  const fail = (message: string) => {
    worker = undefined;
    for (const [id, job] of pending) job.report({ id, type: 'failed', message });
  };
  started.on('error', (error) => fail(error.message));
  started.on('exit', (code) => fail(`exited with code ${code}`));
  worker = started;
  return started;
}

/** Runs the load; with `totals`, adds to them and returns what they hold so far. */
export function runLoad(options: LoadOptions, totals = new LoadTotals()): Promise<LoadResult> {
  const id = (nextJob += 1);
  const job: LoadJob = {
    id,
    origins: options.origins,
    spec: options.spec,
    connections: options.connections,
    durationS: options.durationS,
    rate: options.rate,
    unmeasuredS: Math.min(options.unmeasuredS ?? 0, options.durationS),
    unmeasuredTailS: Math.min(options.unmeasuredTailS ?? 0, Math.max(0, options.durationS - (options.unmeasuredS ?? 0))),
  };
  const generator = loadWorker();
  return new Promise((resolve, reject) => {
    pending.set(id, {
      report(report) {
        if (report.type === 'open') {
          options.onMeasureStart?.();
          return;
        }
        if (report.type === 'close') {
          options.onMeasureEnd?.();
          return;
        }
        pending.delete(id);
        if (pending.size === 0) generator.unref();
        if (report.type === 'failed') {
          reject(new Error(`load generator: ${report.message}`));
          return;
        }
        totals.add(report);
        resolve(totals.result());
      },
    });
    generator.ref();
    generator.postMessage(job);
  });
}
