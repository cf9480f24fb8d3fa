// Shared-state check 2: a response cached by one instance is served by the other from Redis. The
// anonymous, PUBLIC catalogue query goes to instance 1 (a miss: the providers see calls), then, once
// its entry is in Redis, to instance 2: a hit, with no provider call and the same data.
import type { Redis } from 'ioredis';
import type { Upstreams } from '../../src/dev/upstreams';
import type { RequestSpec } from './operations';
import { waitForKeys } from './redis-probe';
import { sendTo, type Answer } from './shared-send';
import type { SharedCheck } from './shared-state';

function providers(upstreams: Upstreams) {
  return upstreams.servers;
}

/** The answer's `data`, serialised (request ids and other extensions left out). */
function dataOf(answer: Answer): string | undefined {
  try {
    const body: unknown = JSON.parse(answer.text);
    return typeof body === 'object' && body !== null && 'data' in body ? JSON.stringify(body.data) : undefined;
  } catch {
    return undefined;
  }
}

/** Sends one request with the providers recording; resolves with the answer and the provider calls it caused. */
async function counted(upstreams: Upstreams, origins: readonly string[], instance: number, spec: RequestSpec): Promise<{ answer: Answer; calls: number }> {
  const list = providers(upstreams);
  for (const p of list) {
    p.resetRecords();
    p.recording = true;
  }
  try {
    const answer = await sendTo(origins, instance, spec);
    return { answer, calls: list.reduce((sum, p) => sum + p.requests.length, 0) };
  } finally {
    for (const p of list) {
      p.recording = false;
      p.resetRecords();
    }
  }
}

export async function checkSharedCache(upstreams: Upstreams, redis: Redis, keyPrefix: string, origins: readonly string[], spec: RequestSpec): Promise<SharedCheck> {
  const first = await counted(upstreams, origins, 0, spec);
  // The entry is written as the first answer completes; wait until Redis holds it (bounded).
  const entries = await waitForKeys(redis, `${keyPrefix}rc:r:*`, 2000);
  const second = await counted(upstreams, origins, 1, spec);
  const firstData = dataOf(first.answer);
  const sameData = firstData !== undefined && firstData === dataOf(second.answer);
  const pass = first.answer.ok && second.answer.ok && first.calls > 0 && second.calls === 0 && sameData && entries.length > 0;
  return {
    name: 'response cache',
    setup: 'RESPONSE_CACHE=1; the anonymous PUBLIC catalogue query (catalogue-cached) once to instance 1, then once to instance 2',
    expected: 'instance 1: a miss (provider calls > 0) that stores an entry in Redis; instance 2: a hit, 0 provider calls, the same data',
    observed: `instance 1: ${first.calls} provider calls, HTTP ${first.answer.status}; entries in Redis: ${entries.length}; instance 2: ${second.calls} provider calls, HTTP ${second.answer.status}, ${sameData ? 'same data' : 'DIFFERENT data'}`,
    pass,
    figures: { firstCalls: first.calls, secondCalls: second.calls, firstStatus: first.answer.status, secondStatus: second.answer.status, redisEntries: entries.length, sameData },
  };
}
