// The load generator's own thread: autocannon runs here, not on the bench's main thread, which also
// hosts the simulated providers, so that reading the 35 KB answers and scanning them for errors does
// not hold back the providers' answers on the same event loop.
// Protocol: the main thread posts a LoadJob; this thread posts `open` when the measured window
// opens, `close` when it closes (before the load stops, with a tail), and `done` with what it saw
// (load.ts merges it into the cell's totals).
import autocannon from 'autocannon';
import { parentPort } from 'node:worker_threads';
import { bodyOf, type RequestSpec } from './operations';

export interface LoadJob {
  readonly id: number;
  readonly origins: readonly string[];
  readonly spec: RequestSpec;
  readonly connections: number;
  readonly durationS: number;
  readonly rate: number | undefined;
  readonly unmeasuredS: number;
  readonly unmeasuredTailS: number;
}

/** What one job saw. */
export interface LoadJobCounts {
  /** Latencies (ms) of the answers in the measured window. */
  readonly samples: Float64Array;
  /** Every answer, unmeasured seconds included. */
  readonly answered: number;
  readonly non2xx: number;
  /** Connection errors and timeouts (autocannon counts them for the whole job). */
  readonly errors: number;
  readonly measuredS: number;
  readonly graphqlErrors: number;
  readonly errorCodes: Readonly<Record<string, number>>;
}

export type LoadJobReport =
  | { readonly id: number; readonly type: 'open' }
  | { readonly id: number; readonly type: 'close' }
  | ({ readonly id: number; readonly type: 'done' } & LoadJobCounts)
  | { readonly id: number; readonly type: 'failed'; readonly message: string };

interface Tally {
  open: boolean;
  samples: number[];
  answered: number;
  non2xx: number;
  graphqlErrors: number;
  readonly codes: Record<string, number>;
}

function see(tally: Tally, body: string): void {
  if (!body.includes('"errors"')) return;
  tally.graphqlErrors += 1;
  for (const match of body.matchAll(/"code":"([A-Z_]+)"/g)) {
    const code = match[1] ?? '?';
    tally.codes[code] = (tally.codes[code] ?? 0) + 1;
  }
}

function runOne(origin: string, job: LoadJob, connections: number, tally: Tally): Promise<autocannon.Result> {
  const { spec } = job;
  const request: autocannon.Request = {
    method: spec.method,
    path: spec.path,
    headers: { ...spec.headers },
    onResponse: (_status: number, responseBody: string) => {
      if (tally.open) see(tally, responseBody);
    },
  };
  // Only the mutation's template and realistic traffic's variants need a setup per request: with
  // setupRequest autocannon rebuilds every request, which costs this thread noticeably at raw node:http rates.
  const variants = spec.variants ?? [];
  if (typeof spec.body === 'string') request.body = spec.body;
  if (typeof spec.body === 'object' || variants.length > 0) {
    // One turn over the variants shared by every connection of this origin: callers and keys in round robin.
    let next = 0;
    request.setupRequest = (req: autocannon.Request) => {
      if (typeof spec.body === 'object') req.body = bodyOf(spec);
      const variant = variants.length > 0 ? variants[next++ % variants.length] : undefined;
      if (variant === undefined) return req;
      return { ...req, path: variant.path ?? spec.path, headers: { ...spec.headers, ...variant.headers } };
    };
  }
  const rate = job.rate === undefined ? undefined : job.rate / job.origins.length;
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      { url: origin, connections, duration: job.durationS, timeout: 30, requests: [request], ...(rate === undefined ? {} : { overallRate: rate }) },
      (error, result) => (error ? reject(error) : resolve(result)),
    );
    instance.on('response', (_client: unknown, status: number, _bytes: number, responseTime: number) => {
      tally.answered += 1;
      if (!tally.open) return;
      tally.samples.push(responseTime);
      if (status < 200 || status > 299) tally.non2xx += 1;
    });
  });
}

async function run(job: LoadJob, post: (report: LoadJobReport, transfer?: ArrayBuffer[]) => void): Promise<void> {
  const tally: Tally = { open: false, samples: [], answered: 0, non2xx: 0, graphqlErrors: 0, codes: {} };
  let opened = 0;
  let closed: number | undefined;
  const open = () => {
    opened = performance.now();
    tally.open = true;
    post({ id: job.id, type: 'open' });
  };
  const close = () => {
    if (!tally.open) return;
    closed = performance.now();
    tally.open = false;
    post({ id: job.id, type: 'close' });
  };
  const timer = job.unmeasuredS > 0 ? setTimeout(open, job.unmeasuredS * 1000) : undefined;
  if (timer === undefined) open();
  // The window closes while the load still runs: what the target does when the load stops (the
  // clients' connections close with answers in flight) is not measured.
  const closer = job.unmeasuredTailS > 0 ? setTimeout(close, (job.durationS - job.unmeasuredTailS) * 1000) : undefined;
  try {
    const n = job.origins.length;
    const results = await Promise.all(
      job.origins.map((origin, i) => {
        const connections = Math.floor(job.connections / n) + (i < job.connections % n ? 1 : 0);
        return runOne(origin, job, Math.max(1, connections), tally);
      }),
    );
    const samples = Float64Array.from(tally.samples);
    post(
      {
        id: job.id,
        type: 'done',
        samples,
        answered: tally.answered,
        non2xx: tally.non2xx,
        errors: results.reduce((sum, r) => sum + r.errors, 0),
        measuredS: closed !== undefined ? (closed - opened) / 1000 : tally.open ? (performance.now() - opened) / 1000 : 0,
        graphqlErrors: tally.graphqlErrors,
        errorCodes: tally.codes,
      },
      [samples.buffer],
    );
  } finally {
    clearTimeout(timer);
    clearTimeout(closer);
  }
}

const port = parentPort;
if (port !== null) {
  const post = (report: LoadJobReport, transfer: ArrayBuffer[] = []) => port.postMessage(report, transfer);
  port.on('message', (job: LoadJob) => {
    run(job, post).catch((error: unknown) => post({ id: job.id, type: 'failed', message: error instanceof Error ? error.message : String(error) }));
  });
}
