// @defer and @stream through the front door (yoga.fetch, and the standalone node:http server for a
// client that goes away): the first part is sent while the reviews provider is still held by a gate
// (a deferred, never a timer), later parts carry their own coded errors, and the rest of the pipeline
// keeps its promises across the stream (one log line at the end, budgets spent once, the cache never
// stores a partial answer, the deadline covers later parts).
import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { startNodeServer, type NodeServerHandle } from '../../src/server/node-server';
import { captureLog } from '../helpers/log-capture';
import { createManualClock } from '../helpers/manual-clock';
import { mergeParts, multipartParts, readIncremental, type IncrementalPart } from '../helpers/multipart';
import { startWorld, type World } from '../helpers/world';
import { mintDevToken } from '../../src/dev/dev-jwt';

const manifest = JSON.parse(readFileSync('persisted-queries/manifest.json', 'utf8')) as { operations: { id: string; name: string; body: string }[] };
const operation = (name: string) => {
  const found = manifest.operations.find((o) => o.name === name);
  if (!found) throw new Error(`no operation ${name}`);
  return found;
};
const DEFERRED = operation('OrderPageDeferredReviews');
const PLAIN = operation('OrderPage');
const APOLLO_ACCEPT = 'multipart/mixed;deferSpec=20220824,application/graphql-response+json,application/json;q=0.9';
const STREAMED_CATALOGUE = '{ products(first: 4) { edges @stream(initialCount: 1) { node { id title } } } }';

/** A gate for a held provider: it answers once `open()` is called. */
function gate() {
  let open: () => void = () => {};
  const until = new Promise<void>((resolve) => (open = resolve));
  return { until, open };
}

async function post(world: World, body: Record<string, unknown>, headers: Record<string, string> = {}, as = 'user-1'): Promise<Response> {
  return world.gateway.yoga.fetch('http://gateway/api/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: APOLLO_ACCEPT, authorization: `Bearer ${await mintDevToken(as)}`, ...headers },
    body: JSON.stringify(body),
  });
}
const persisted = (op: { id: string; name: string }) => ({ operationName: op.name, extensions: { persistedQuery: { version: 1, sha256Hash: op.id } } });

/** The deferred order page's requests in the duration histogram, by outcome. */
async function requestsCounted(world: World): Promise<{ success: number; partial: number }> {
  const histogram = await world.gateway.telemetry.metrics.registry.getSingleMetric('bff_graphql_request_duration_seconds')?.get();
  const count = (outcome: string) =>
    histogram?.values.find((v) => (v as { metricName?: string }).metricName === 'bff_graphql_request_duration_seconds_count' && v.labels['operation'] === DEFERRED.name && v.labels['outcome'] === outcome)?.value ?? 0;
  return { success: count('success'), partial: count('partial') };
}

type Lines = { node: { lines: { product: Record<string, unknown> }[] } }[];
const edgesOf = (part: IncrementalPart | undefined) => (part?.data?.['orders'] as { edges: Lines } | undefined)?.edges ?? [];

describe('incremental delivery in process', () => {
  const log = captureLog();
  let world: World;
  beforeAll(async () => {
    world = await startWorld({
      env: { RATE_LIMIT_REQUESTS_PER_WINDOW: '1000', RATE_LIMIT_BURST_REQUESTS: '0' },
      telemetry: { logDestination: log.stream, logLevel: 'info', processMetrics: false },
    });
  });
  afterAll(() => world.close());
  afterEach(() => {
    world.upstreams.reviews.clearFaults();
    world.resetCounts();
    log.clear();
  });

  it('sends the first part while the reviews are held, then the reviews; merged, the parts are OrderPage', async () => {
    const held = gate();
    world.upstreams.reviews.fault({ kind: 'hold', until: held.until });
    const res = await post(world, persisted(DEFERRED), {}, 'user-1');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('multipart/mixed; boundary="-"');
    const parts = multipartParts(res);
    const first = (await parts.next()).value as IncrementalPart;
    // The gate is still shut: this part cannot hold anything from the reviews provider.
    expect(first.hasNext).toBe(true);
    expect(edgesOf(first)).toHaveLength(20);
    expect(edgesOf(first)[0]?.node.lines[0]?.product).not.toHaveProperty('reviews');
    await world.upstreams.reviews.waitForRequests(1);
    held.open();
    const rest: IncrementalPart[] = [];
    for await (const part of parts) rest.push(part);
    expect(rest.at(-1)?.hasNext).toBe(false);
    expect(rest.flatMap((p) => p.incremental ?? []).every((entry) => entry.path[0] === 'orders' && entry.path.at(-1) === 'product')).toBe(true);
    const merged = mergeParts([first, ...rest]);
    const plain = (await (await post(world, persisted(PLAIN), { accept: 'application/graphql-response+json' }, 'user-1')).json()) as IncrementalPart;
    expect(merged.errors).toBeUndefined();
    expect(merged.data).toEqual(plain.data);
  });

  it('streams a list with @stream: the initial items first, the others as `items` parts', async () => {
    const res = await post(world, { query: STREAMED_CATALOGUE });
    const { parts, merged } = await readIncremental(res);
    expect((parts[0]?.data?.['products'] as { edges: unknown[] }).edges).toHaveLength(1);
    expect(parts.flatMap((p) => p.incremental ?? []).flatMap((entry) => entry.items ?? [])).toHaveLength(3);
    const plain = await world.gql('{ products(first: 4) { edges { node { id title } } } }');
    expect(merged.data).toEqual(plain.body.data);
  });

  it('gives a failed deferred part its coded errors and keeps the first part; one log line at the end', async () => {
    world.upstreams.reviews.fault({ kind: 'status', status: 503 });
    const countedBefore = await requestsCounted(world);
    const res = await post(world, persisted(DEFERRED), { 'x-request-id': 'defer-fail-1' }, 'user-1');
    expect(res.status).toBe(200);
    const { parts, merged } = await readIncremental(res);
    expect(parts[0]?.errors).toBeUndefined();
    expect(edgesOf(parts[0])).toHaveLength(20);
    const errors = parts.flatMap((p) => p.incremental ?? []).flatMap((entry) => entry.errors ?? []);
    expect(errors.length).toBeGreaterThan(0);
    for (const error of errors) expect(error.extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', requestId: 'defer-fail-1', retryable: true });
    expect(parts.at(-1)?.hasNext).toBe(false);
    expect(merged.errors).toHaveLength(errors.length);
    const lines = log.requestLines().filter((line) => line['requestId'] === 'defer-fail-1');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ status: 200, outcome: 'partial', parts: parts.length, errors: ['UPSTREAM_UNAVAILABLE'], operation: 'OrderPageDeferredReviews' });
    expect(lines[0]?.['firstPartMs']).toBeLessThanOrEqual(Number(lines[0]?.['durationMs']));
    // Counted once in the metrics, with its outcome, after the stream ended.
    expect(await requestsCounted(world)).toEqual({ success: countedBefore.success, partial: countedBefore.partial + 1 });
  });

  it('refuses with a 406 BAD_REQUEST, before any provider call, a client that accepts only another incremental format', async () => {
    for (const accept of ['multipart/mixed;incrementalSpec=v0.2', 'multipart/mixed;deferSpec=20230101, application/json', 'application/graphql-response+json', 'multipart/mixed;q=0']) {
      const res = await post(world, persisted(DEFERRED), { accept, 'x-request-id': 'defer-406' });
      expect([accept, res.status, res.headers.get('accept')]).toEqual([accept, 406, 'multipart/mixed;deferSpec=20220824, text/event-stream']);
      const body = (await res.json()) as IncrementalPart;
      expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_REQUEST', requestId: 'defer-406' });
    }
    expect(world.counts()).toMatchObject({ orders: 0, reviews: 0, accounts: 0, catalog: 0 });
    // Ours beside another spec, urql's plain multipart/mixed, an event stream: served.
    for (const accept of ['multipart/mixed;incrementalSpec=v0.2, multipart/mixed;deferSpec=20220824', 'application/graphql-response+json, multipart/mixed', 'text/event-stream']) {
      const res = await post(world, { query: STREAMED_CATALOGUE }, { accept });
      expect([accept, res.status]).toEqual([accept, 200]);
      await res.text();
    }
    // An operation without @defer/@stream is not concerned.
    expect((await post(world, persisted(PLAIN), { accept: 'multipart/mixed;incrementalSpec=v0.2, application/json' }, 'user-1')).status).toBe(200);
  });

  it('spends the request budget once per streamed request', async () => {
    const first = await post(world, persisted(DEFERRED), {}, 'user-1');
    const before = Number(first.headers.get('ratelimit-remaining'));
    await readIncremental(first);
    const second = await post(world, { query: STREAMED_CATALOGUE }, {}, 'user-1');
    await readIncremental(second);
    expect(Number(second.headers.get('ratelimit-remaining'))).toBe(before - 1);
    expect(first.headers.get('x-operation-cost')).toBe((await post(world, persisted(PLAIN), { accept: 'application/json' }, 'user-1')).headers.get('x-operation-cost'));
  });
});

describe('the cost budget and a streamed answer', () => {
  const BUDGET = 100_000;
  let world: World;
  beforeAll(async () => {
    world = await startWorld({ env: { RATE_LIMIT_COST_PER_WINDOW: String(BUDGET), RATE_LIMIT_REQUESTS_PER_WINDOW: '0', RATE_LIMIT_BURST_REQUESTS: '0' } });
  });
  afterAll(() => world.close());

  it('spends the whole document cost once per streamed request, deferred parts included', async () => {
    const first = await post(world, persisted(DEFERRED), {}, 'user-1');
    const cost = Number(first.headers.get('x-operation-cost'));
    expect(cost).toBeGreaterThan(1000);
    expect(Number(first.headers.get('ratelimit-remaining'))).toBe(BUDGET - cost);
    await readIncremental(first);
    const second = await post(world, persisted(DEFERRED), {}, 'user-1');
    expect(Number(second.headers.get('ratelimit-remaining'))).toBe(BUDGET - 2 * cost);
    await readIncremental(second);
  });
});

describe('the response cache and a streamed answer', () => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld({ env: { RESPONSE_CACHE: '1' } });
  });
  afterAll(() => world.close());
  afterEach(() => {
    world.upstreams.reviews.clearFaults();
    world.resetCounts();
  });

  it('stores the merged complete answer (served whole, as JSON), never a failed or abandoned one', async () => {
    // A failed deferred part: nothing stored, the next request runs again.
    world.upstreams.reviews.fault({ kind: 'status', status: 503 });
    const failed = await readIncremental(await post(world, persisted(DEFERRED), {}, 'user-1'));
    expect(failed.merged.errors?.length).toBeGreaterThan(0);
    world.upstreams.reviews.clearFaults();
    // An abandoned stream: the reader goes away after the first part (the reviews are held).
    const held = gate();
    const holding = world.upstreams.reviews.fault({ kind: 'hold', until: held.until });
    const abandoned = multipartParts(await post(world, persisted(DEFERRED), {}, 'user-1'));
    expect((await abandoned.next()).value?.hasNext).toBe(true);
    await abandoned.return(undefined);
    holding.clear();
    held.open();
    world.resetCounts();
    const complete = await post(world, persisted(DEFERRED), {}, 'user-1');
    expect(complete.headers.get('x-response-cache')).toBe('miss');
    const { merged } = await readIncremental(complete);
    expect(merged.errors).toBeUndefined();
    // Neither the failed nor the abandoned answer was stored: this one went to the providers again.
    expect(world.upstreams.reviews.count()).toBeGreaterThan(0);
    world.resetCounts();
    const hit = await post(world, persisted(DEFERRED), {}, 'user-1');
    expect([hit.status, hit.headers.get('x-response-cache'), hit.headers.get('content-type')]).toEqual([200, 'hit', 'application/graphql-response+json; charset=utf-8']);
    expect(((await hit.json()) as IncrementalPart).data).toEqual(merged.data);
    expect(world.counts()).toMatchObject({ orders: 0, reviews: 0, accounts: 0, catalog: 0 });
  });

  it('sends a streamed GET as no-store, without an ETag', async () => {
    const params = new URLSearchParams({ query: STREAMED_CATALOGUE });
    const res = await world.gateway.yoga.fetch(`http://gateway/api/graphql?${params}`, { headers: { accept: APOLLO_ACCEPT } });
    expect([res.status, res.headers.get('content-type'), res.headers.get('cache-control'), res.headers.get('etag')]).toEqual([200, 'multipart/mixed; boundary="-"', 'no-store', null]);
    expect((await readIncremental(res)).parts.length).toBeGreaterThan(1);
  });
});

describe('admission and a streamed answer', () => {
  let world: World;
  beforeAll(async () => {
    // One slot, no queue: a second request while the slot is taken is refused at once.
    world = await startWorld({ env: { ADMISSION_MIN_CONCURRENT: '1', ADMISSION_MAX_CONCURRENT: '1', ADMISSION_MAX_QUEUED: '0' } });
  });
  afterAll(() => world.close());
  afterEach(() => world.upstreams.reviews.clearFaults());

  it('keeps the slot until the stream ends, not only until its first part', async () => {
    const held = gate();
    world.upstreams.reviews.fault({ kind: 'hold', until: held.until });
    const parts = multipartParts(await post(world, persisted(DEFERRED), {}, 'user-1'));
    expect((await parts.next()).value?.hasNext).toBe(true);
    // The deferred reviews are still being fetched: the slot is still this request's.
    const during = await world.gql('{ ping }');
    expect([during.status, during.body.errors?.[0]?.extensions['code']]).toEqual([503, 'OVERLOADED']);
    held.open();
    for await (const part of parts) void part;
    const after = await world.gql('{ ping }');
    expect([after.status, after.body.data]).toEqual([200, { ping: true }]);
  });
});

describe('the deadline and a client going away', () => {
  const clock = createManualClock({ start: Date.now() });
  const log = captureLog();
  let world: World;
  let server: NodeServerHandle;
  beforeAll(async () => {
    world = await startWorld({ clock, env: { REQUEST_DEADLINE_MS: '5000' }, telemetry: { logDestination: log.stream, logLevel: 'info', processMetrics: false } });
    server = await startNodeServer(world.gateway.yoga);
  });
  afterAll(async () => {
    await server.close();
    await world.close();
  });
  afterEach(() => {
    world.upstreams.reviews.clearFaults();
    world.resetCounts();
  });

  it('fails the calls of a later part that start after the request deadline (UPSTREAM_TIMEOUT), and ends the stream', async () => {
    const held = gate();
    world.upstreams.reviews.fault({ kind: 'hold', until: held.until });
    const parts = multipartParts(await post(world, persisted(DEFERRED), {}, 'user-1'));
    expect((await parts.next()).value?.hasNext).toBe(true);
    const accountsAfterFirst = world.upstreams.accounts.count();
    // The deadline passes while the reviews are held; the review authors (accounts) come after it.
    clock.advance(5001);
    held.open();
    const rest: IncrementalPart[] = [];
    for await (const part of parts) rest.push(part);
    expect(rest.at(-1)?.hasNext).toBe(false);
    const codes = new Set(rest.flatMap((p) => p.incremental ?? []).flatMap((entry) => entry.errors ?? []).map((e) => e.extensions['code']));
    expect([...codes]).toEqual(['UPSTREAM_TIMEOUT']);
    expect(world.upstreams.accounts.count()).toBe(accountsAfterFirst);
  });

  it('stops the pending upstream call when the client goes away after the first part (standalone server)', async () => {
    const held = gate();
    world.upstreams.reviews.fault({ kind: 'hold', until: held.until });
    const client = new AbortController();
    const res = await fetch(`${server.url}/api/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: APOLLO_ACCEPT, authorization: `Bearer ${await mintDevToken('user-1')}`, 'x-request-id': 'defer-gone-1' },
      body: JSON.stringify(persisted(DEFERRED)),
      signal: client.signal,
    });
    const parts = multipartParts(res);
    // Streamed for real by node:http: the first part arrives while the reviews are held.
    expect((await parts.next()).value?.hasNext).toBe(true);
    const accountsAfterFirst = world.upstreams.accounts.count();
    client.abort();
    await parts.return(undefined).catch(() => undefined);
    // Every reviews batch of the request that reached the provider is closed unanswered.
    await world.upstreams.reviews.waitForAbandoned(1);
    await world.upstreams.reviews.waitForAbandoned(world.upstreams.reviews.count());
    held.open();
    // The line is written once the stream has ended (its end is the abort).
    await vi.waitFor(() => expect(log.requestLines().filter((l) => l['requestId'] === 'defer-gone-1')).toHaveLength(1));
    expect(world.upstreams.reviews.abandoned()).toBe(world.upstreams.reviews.count());
    expect(world.upstreams.accounts.count()).toBe(accountsAfterFirst);
  });
});
