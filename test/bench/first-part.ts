// The `order-page-deferred` scenario: with a slow reviews provider, how soon a client has something
// to show. One connection, requests one after the other, the deferred order page (reviews @defer)
// alternating with the plain one: time to the first part (the plain page's first part is its whole
// answer) and to the whole answer, medians and p90. Latency, not throughput: the load generator's
// req/s would hide what @defer is for.
import type { Upstreams } from '../../src/dev/upstreams';
import { multipartParts } from '../helpers/multipart';
import { bodyOf, requestFor, type PersistedLookup } from './operations';

export interface FirstPartContext {
  readonly upstreams: Upstreams;
  readonly token: string;
  readonly persisted: PersistedLookup;
  readonly durationS: number;
  readonly log: (line: string) => void;
}

export interface FirstPartFigures {
  readonly target: string;
  readonly slowReviewsMs: number;
  readonly requests: number;
  readonly deferred: { readonly firstPartMs: Percentiles; readonly wholeMs: Percentiles; readonly parts: number };
  readonly plain: { readonly wholeMs: Percentiles };
}

interface Percentiles {
  readonly p50: number;
  readonly p90: number;
}

function percentiles(samples: number[]): Percentiles {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
  return { p50: Math.round(at(0.5) * 100) / 100, p90: Math.round(at(0.9) * 100) / 100 };
}

async function once(origin: string, spec: ReturnType<typeof requestFor>): Promise<{ firstMs: number; wholeMs: number; parts: number }> {
  const started = performance.now();
  const body = bodyOf(spec);
  const res = await fetch(`${origin}${spec.path}`, { method: spec.method, headers: spec.headers, ...(body === undefined ? {} : { body }) });
  if (!res.ok) throw new Error(`status ${res.status}: ${(await res.text()).slice(0, 200)}`);
  if (!(res.headers.get('content-type') ?? '').startsWith('multipart/')) {
    const json = (await res.json()) as { errors?: unknown[] };
    if (json.errors) throw new Error(`errors: ${JSON.stringify(json.errors).slice(0, 200)}`);
    const wholeMs = performance.now() - started;
    return { firstMs: wholeMs, wholeMs, parts: 1 };
  }
  let firstMs = Number.NaN;
  let parts = 0;
  for await (const part of multipartParts(res)) {
    parts += 1;
    if (parts === 1) firstMs = performance.now() - started;
    if (part.errors || part.incremental?.some((entry) => entry.errors)) throw new Error(`errors in part ${parts}`);
  }
  return { firstMs, wholeMs: performance.now() - started, parts };
}

/** Measures one target (its origin and endpoint path) for `durationS` seconds, the reviews slowed meanwhile. */
export async function measureFirstPart(ctx: FirstPartContext, target: string, origin: string, endpointPath: string, slowReviewsMs: number): Promise<FirstPartFigures> {
  const request = { endpointPath, token: ctx.token, persisted: ctx.persisted, byHash: true };
  const deferredSpec = requestFor('order-page-deferred', request);
  const plainSpec = requestFor('order-page', request);
  const slow = ctx.upstreams.reviews.fault({ kind: 'latency', ms: slowReviewsMs });
  const deferred = { first: [] as number[], whole: [] as number[], parts: 0 };
  const plain: number[] = [];
  try {
    // Warm-up: compile, caches of parsed documents, keep-alive connections.
    for (let i = 0; i < 5; i++) {
      await once(origin, deferredSpec);
      await once(origin, plainSpec);
    }
    const until = performance.now() + ctx.durationS * 1000;
    while (performance.now() < until) {
      const d = await once(origin, deferredSpec);
      deferred.first.push(d.firstMs);
      deferred.whole.push(d.wholeMs);
      deferred.parts = d.parts;
      plain.push((await once(origin, plainSpec)).wholeMs);
    }
  } finally {
    slow.clear();
  }
  const figures: FirstPartFigures = {
    target,
    slowReviewsMs,
    requests: deferred.whole.length + plain.length,
    deferred: { firstPartMs: percentiles(deferred.first), wholeMs: percentiles(deferred.whole), parts: deferred.parts },
    plain: { wholeMs: percentiles(plain) },
  };
  ctx.log(
    `  ${target} order-page-deferred (reviews +${slowReviewsMs} ms, c=1, ${figures.requests} requests): ` +
      `deferred first part p50 ${figures.deferred.firstPartMs.p50} ms (p90 ${figures.deferred.firstPartMs.p90}), whole p50 ${figures.deferred.wholeMs.p50} ms (p90 ${figures.deferred.wholeMs.p90}), ${figures.deferred.parts} parts; ` +
      `plain order page whole p50 ${figures.plain.wholeMs.p50} ms (p90 ${figures.plain.wholeMs.p90})`,
  );
  return figures;
}
