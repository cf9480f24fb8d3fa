// The response cache's early hit (GET persisted queries answered from onRequest) against the same
// gateway with it switched off: the same status, body and headers for every Accept a client may
// send, the log line says which path served, provider counts prove hits, and everything the early
// path does not recognise still gets the pipeline's answer.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { mintDevToken } from '../../src/dev/dev-jwt';
import { startNodeServer } from '../../src/server/node-server';
import { captureLog } from '../helpers/log-capture';
import { startWorld, type World } from '../helpers/world';

const log = captureLog();
const logStream = log.stream;
const requestLines = () => log.requestLines();

let early: World;
let pipeline: World;
beforeAll(async () => {
  early = await startWorld({ env: { RESPONSE_CACHE: '1' }, telemetry: { logDestination: logStream, logLevel: 'info', processMetrics: false } });
  pipeline = await startWorld({ env: { RESPONSE_CACHE: '1', RESPONSE_CACHE_EARLY_HIT: '0' } });
});
afterAll(async () => {
  await early.close();
  await pipeline.close();
});
beforeEach(() => {
  log.clear();
  early.resetCounts();
  pipeline.resetCounts();
});

const manifest = JSON.parse(readFileSync('persisted-queries/manifest.json', 'utf8')) as { operations: { id: string; name: string }[] };
const idOf = (name: string) => manifest.operations.find((o) => o.name === name)?.id ?? '';
const CATALOGUE = idOf('Catalogue');

interface Get {
  readonly id?: string;
  readonly variables?: unknown;
  readonly headers?: Record<string, string>;
  readonly params?: Record<string, string>;
}

async function get(world: World, { id = CATALOGUE, variables = { first: 3 }, headers = {}, params = {} }: Get) {
  const search = new URLSearchParams({ extensions: JSON.stringify({ persistedQuery: { version: 1, sha256Hash: id } }), variables: JSON.stringify(variables), ...params });
  const res = await world.gateway.yoga.fetch(`http://gateway/api/graphql?${search}`, { headers: { 'x-apollo-operation-name': 'Catalogue', ...headers } });
  const text = await res.text();
  const picked = Object.fromEntries(['content-type', 'content-length', 'etag', 'cache-control'].map((h) => [h, res.headers.get(h)]));
  return { status: res.status, text, headers: picked, requestId: res.headers.get('x-request-id') };
}

const ACCEPTS = [undefined, '*/*', 'application/json', 'application/graphql-response+json', 'application/graphql-response+json, application/json', 'application/json;q=0.9, */*'];

describe('early hit', () => {
  it.each(ACCEPTS.map((accept) => [accept ?? '(none)', accept] as const))('answers exactly as the pipeline does, Accept %s', async (_label, accept) => {
    const headers: Record<string, string> = accept === undefined ? {} : { accept };
    const variables = { first: 2 + ACCEPTS.indexOf(accept) };
    const [fillEarly, fillPipeline] = [await get(early, { variables, headers }), await get(pipeline, { variables, headers })];
    expect(fillEarly).toMatchObject({ status: 200, headers: fillPipeline.headers, text: fillPipeline.text });
    const hitEarly = await get(early, { variables, headers });
    const hitPipeline = await get(pipeline, { variables, headers });
    expect(hitEarly.status).toBe(200);
    expect(hitEarly.headers).toEqual(hitPipeline.headers);
    expect(hitEarly.text).toBe(hitPipeline.text);
    expect(hitEarly.text).toBe(fillEarly.text);
    // One fill each; the hits reached no provider.
    expect(early.counts().catalog).toBe(1);
    expect(pipeline.counts().catalog).toBe(1);
    const [fillLine, hitLine] = requestLines();
    expect(fillLine).toMatchObject({ cache: 'miss', persistedHash: CATALOGUE, status: 200 });
    expect(fillLine?.['cacheEarly']).toBeUndefined();
    expect(hitLine).toMatchObject({ cache: 'hit', cacheEarly: 'hook', persistedHash: CATALOGUE, requestId: hitEarly.requestId, status: 200 });
  });

  it('revalidates with If-None-Match like any hit (304, no body, no provider call)', async () => {
    const first = await get(early, { variables: { first: 11 } });
    const etag = first.headers['etag'] ?? '';
    expect(etag).toMatch(/^"[0-9a-f]{32}"$/);
    const revalidated = await early.gateway.yoga.fetch(
      `http://gateway/api/graphql?${new URLSearchParams({ extensions: JSON.stringify({ persistedQuery: { version: 1, sha256Hash: CATALOGUE } }), variables: JSON.stringify({ first: 11 }) })}`,
      { headers: { 'x-apollo-operation-name': 'Catalogue', 'if-none-match': etag } },
    );
    expect(revalidated.status).toBe(304);
    expect(await revalidated.text()).toBe('');
    expect(early.counts().catalog).toBe(1);
    // The line tells the response that was sent (the telemetry tail runs after the 304 is made).
    expect(requestLines().map((l) => [l['cache'], l['cacheEarly'], l['status']])).toEqual([
      ['miss', undefined, 200],
      ['not-modified', 'hook', 304],
    ]);
  });

  it('sends one ETag and one Last-Modified on the wire, on the fill and on the hit, early or not', async () => {
    const seen: (string | null)[][] = [];
    for (const world of [early, pipeline]) {
      await using server = await startNodeServer(world.gateway.yoga);
      const search = new URLSearchParams({ extensions: JSON.stringify({ persistedQuery: { version: 1, sha256Hash: CATALOGUE } }), variables: JSON.stringify({ first: 12 }) });
      for (let i = 0; i < 2; i++) {
        const res = await fetch(`${server.url}/api/graphql?${search}`, { headers: { 'x-apollo-operation-name': 'Catalogue' } });
        await res.text();
        // fetch joins a repeated header with ", ": the plugin's key-based ETag once rode along as "p:<key>, W/…".
        seen.push([res.headers.get('etag'), String(Date.parse(res.headers.get('last-modified') ?? '') > 0)]);
      }
    }
    expect(seen).toHaveLength(4);
    for (const [etag, lastModified] of seen) {
      expect(etag).toMatch(/^"[0-9a-f]{32}"$/);
      expect(lastModified).toBe('true');
    }
  });

  it('leaves to the pipeline what it does not recognise, which answers as it always did', async () => {
    await get(early, {}); // { first: 3 }: stored by an earlier test or now
    await get(pipeline, {});
    log.clear();
    const cases: [Get, number][] = [
      [{ headers: { 'x-apollo-operation-name': '', cookie: 'session=abc' } }, 400], // a Cookie and no CSRF header: refused by the pipeline, not served
      [{ id: 'f'.repeat(64) }, 200], // not in the allowlist: PERSISTED_QUERY_NOT_FOUND (GraphQL error)
      [{ headers: { accept: 'text/html' } }, 200], // not early (no JSON type accepted): the pipeline answers as it always did
      [{ headers: { authorization: 'Bearer not.a.jwt' } }, 401],
      [{ params: { variables: '{bad json' } }, 400],
    ];
    for (const [request, status] of cases) {
      const [viaEarly, viaPipeline] = [await get(early, request), await get(pipeline, request)];
      expect([JSON.stringify(request), viaEarly.status]).toEqual([JSON.stringify(request), status]);
      expect(viaEarly.text).toBe(viaPipeline.text.replace(viaPipeline.requestId ?? '', viaEarly.requestId ?? ''));
    }
    expect(requestLines().filter((l) => l['cacheEarly'] !== undefined)).toEqual([]);
    // A valid token reads the PUBLIC entry early too.
    const withToken = await get(early, { headers: { authorization: `Bearer ${await mintDevToken('user-3')}` } });
    expect(withToken.status).toBe(200);
    expect(requestLines().at(-1)).toMatchObject({ cache: 'hit', cacheEarly: 'hook' });
    expect(early.counts().catalog).toBe(0); // { first: 3 } was stored by the Accept cases above
  });
});

describe('early hit and the inbound budgets', () => {
  it('counts every early hit against the caller’s request budget, and refuses past it with 429', async () => {
    const limited = await startWorld({ env: { RESPONSE_CACHE: '1', RATE_LIMIT_REQUESTS_PER_WINDOW: '3', RATE_LIMIT_WINDOW_SECONDS: '60' } });
    try {
      const search = new URLSearchParams({ extensions: JSON.stringify({ persistedQuery: { version: 1, sha256Hash: CATALOGUE } }), variables: JSON.stringify({ first: 4 }) });
      const seen: [number, string | null, string | null][] = [];
      for (let i = 0; i < 4; i++) {
        const res = await limited.gateway.yoga.fetch(`http://gateway/api/graphql?${search}`, { headers: { 'x-apollo-operation-name': 'Catalogue' } });
        await res.text();
        seen.push([res.status, res.headers.get('ratelimit-remaining'), res.headers.get('retry-after')]);
      }
      // Public answers carry no budget headers (a shared cache would replay them); the refusal shows the three were counted.
      expect(seen).toEqual([
        [200, null, null],
        [200, null, null],
        [200, null, null],
        [429, '0', '60'],
      ]);
      expect(limited.counts().catalog).toBe(1); // one fill, two early hits, one refusal
    } finally {
      await limited.close();
    }
  });
});
