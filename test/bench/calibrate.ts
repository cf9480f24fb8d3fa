// Upstream calls per GraphQL request, and a check that the target really answers the scenario:
// a few sequential requests with the providers' recording switched on (off again afterwards, so
// that long runs do not grow the request logs).
import { request } from 'undici';
import type { Upstreams } from '../../src/dev/upstreams';
import { bodyOf, type RequestSpec } from './operations';

export interface Calibration {
  /** Provider requests (token endpoint included) per GraphQL request. */
  readonly upstreamPerRequest: number;
  /** Upstream calls by provider and route, for the notes. */
  readonly byProvider: Readonly<Record<string, number>>;
  /** What went wrong in the answers, with counts (empty when every answer had data and no errors). */
  readonly problems: readonly string[];
  /** Answers that had a problem, out of `sent`. */
  readonly failed: number;
  readonly sent: number;
  /** Response headers of the last answer (cache hints, rate-limit headers). */
  readonly lastHeaders: Readonly<Record<string, string>>;
}

function handles(upstreams: Upstreams) {
  return upstreams.servers;
}

function checkGraphQL(status: number, text: string): string | undefined {
  if (status !== 200) return `HTTP ${status}: ${text.slice(0, 300)}`;
  try {
    const body: unknown = JSON.parse(text);
    if (typeof body !== 'object' || body === null) return `not an object: ${text.slice(0, 200)}`;
    if ('errors' in body) return `errors: ${JSON.stringify(body.errors).slice(0, 300)}`;
    if (!('data' in body) || body.data === null) return `no data: ${text.slice(0, 200)}`;
    return undefined;
  } catch {
    return `not JSON: ${text.slice(0, 200)}`;
  }
}

/** `origins`: one target, or several visited in turn (two-instances). */
export async function calibrate(upstreams: Upstreams | undefined, origins: string | readonly string[], spec: RequestSpec, n: number, graphql: boolean): Promise<Calibration> {
  const list = typeof origins === 'string' ? [origins] : origins;
  const providers = upstreams ? handles(upstreams) : [];
  for (const p of providers) {
    p.resetRecords();
    p.recording = true;
  }
  const problems = new Map<string, number>();
  let failed = 0;
  let lastHeaders: Record<string, string> = {};
  try {
    for (let i = 0; i < n; i++) {
      const body = bodyOf(spec);
      const res = await request(`${list[i % list.length] ?? ''}${spec.path}`, { method: spec.method, headers: spec.headers, ...(body === undefined ? {} : { body }) });
      const text = await res.body.text();
      lastHeaders = Object.fromEntries(Object.entries(res.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : String(v)]));
      const problem = graphql ? checkGraphQL(res.statusCode, text) : res.statusCode === 200 ? undefined : `HTTP ${res.statusCode}`;
      if (problem) {
        failed += 1;
        const key = problem.replace(/"requestId":"[^"]*"/g, '"requestId":…');
        problems.set(key, (problems.get(key) ?? 0) + 1);
      }
    }
    const byProvider: Record<string, number> = {};
    let total = 0;
    for (const p of providers) {
      for (const r of p.requests) {
        const key = `${p.name} ${r.method} ${r.path}`;
        byProvider[key] = (byProvider[key] ?? 0) + 1 / n;
        total += 1;
      }
    }
    return { upstreamPerRequest: total / n, byProvider, problems: [...problems].map(([p, c]) => `${c}× ${p}`), failed, sent: n, lastHeaders };
  } finally {
    for (const p of providers) {
      p.recording = false;
      p.resetRecords();
    }
  }
}
