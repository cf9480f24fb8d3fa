// Requests for the shared-state checks: one at a time to a chosen instance, or a fixed number sent
// in turn to the instances (request i to instance i mod n) by a few concurrent senders. Each answer
// is kept as the checks need it: instance, status, Retry-After, whether it carried data and no errors.
import { request } from 'undici';
import { bodyOf, type RequestSpec } from './operations';

export interface Answer {
  /** Index of the instance that answered. */
  readonly instance: number;
  readonly status: number;
  readonly retryAfter: string | undefined;
  /** 200 with data and no GraphQL errors. */
  readonly ok: boolean;
  /** `extensions.code` values of the answer's errors. */
  readonly codes: readonly string[];
  readonly headers: Readonly<Record<string, string>>;
  readonly text: string;
}

function hasData(text: string): boolean {
  try {
    const body: unknown = JSON.parse(text);
    return typeof body === 'object' && body !== null && !('errors' in body) && 'data' in body && body.data !== null;
  } catch {
    return false;
  }
}

export async function sendTo(origins: readonly string[], instance: number, spec: RequestSpec): Promise<Answer> {
  const body = bodyOf(spec);
  const res = await request(`${origins[instance] ?? ''}${spec.path}`, { method: spec.method, headers: spec.headers, ...(body === undefined ? {} : { body }) });
  const text = await res.body.text();
  const headers = Object.fromEntries(Object.entries(res.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : String(v)]));
  return {
    instance,
    status: res.statusCode,
    retryAfter: headers['retry-after'],
    ok: res.statusCode === 200 && hasData(text),
    codes: [...text.matchAll(/"code":"([A-Z_]+)"/g)].map((m) => m[1] ?? '?'),
    headers,
    text,
  };
}

/** `total` requests, request i to instance i mod n, `concurrency` in flight at once. */
export async function sendInTurn(origins: readonly string[], spec: RequestSpec, total: number, concurrency: number): Promise<Answer[]> {
  const answers: Answer[] = [];
  let next = 0;
  const sender = async () => {
    while (next < total) {
      const i = next++;
      answers.push(await sendTo(origins, i % origins.length, spec));
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, total) }, sender));
  return answers;
}

/** `n` per instance index, as "a + b". */
export function perInstance(answers: readonly Answer[], instances: number, keep: (a: Answer) => boolean): string {
  const counts = Array.from({ length: instances }, (_, i) => answers.filter((a) => a.instance === i && keep(a)).length);
  return counts.join(' + ');
}
