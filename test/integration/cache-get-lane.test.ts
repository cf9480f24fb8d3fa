// The node lane for cached GETs (src/server/cached-get-lane.ts) against the same gateway without
// any early path (RESPONSE_CACHE_EARLY_HIT=0), both on real node:http servers: what reaches the
// wire (status, every header and how often it is sent, body) must be the pipeline's, for hits,
// 304s and 429s; misses and anything unusual fall through to yoga; the log line says who answered.
import { request as httpRequest } from 'node:http';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { mintDevToken } from '../../src/dev/dev-jwt';
import { startNodeServer, type NodeServerHandle } from '../../src/server/node-server';
import { captureLog } from '../helpers/log-capture';
import { startWorld, type World } from '../helpers/world';

const log = captureLog();
const logStream = log.stream;
const requestLines = () => log.requestLines();

const manifest = JSON.parse(readFileSync('persisted-queries/manifest.json', 'utf8')) as { operations: { id: string; name: string }[] };
const CATALOGUE = manifest.operations.find((o) => o.name === 'Catalogue')?.id ?? '';

interface Wire {
  readonly status: number;
  /** Every header as sent: lower-case name → its values, in order (a repeated header has two). */
  readonly headers: Record<string, string[]>;
  readonly body: string;
}

function send(url: string, headers: Record<string, string>): Promise<Wire> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const sent: Record<string, string[]> = {};
        for (let i = 0; i < res.rawHeaders.length; i += 2) (sent[(res.rawHeaders[i] ?? '').toLowerCase()] ??= []).push(res.rawHeaders[i + 1] ?? '');
        resolve({ status: res.statusCode ?? 0, headers: sent, body: Buffer.concat(chunks).toString('utf8') });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

function catalogueUrl(server: NodeServerHandle, first: number): string {
  const search = new URLSearchParams({
    operationName: 'Catalogue',
    extensions: JSON.stringify({ persistedQuery: { version: 1, sha256Hash: CATALOGUE } }),
    variables: JSON.stringify({ first }),
  });
  return `${server.url}/api/graphql?${search}`;
}

const PREFLIGHT = { 'x-apollo-operation-name': 'Catalogue' };

function persistedUrl(server: NodeServerHandle, name: string, variables: Record<string, unknown>): string {
  const id = manifest.operations.find((o) => o.name === name)?.id ?? '';
  const search = new URLSearchParams({ operationName: name, extensions: JSON.stringify({ persistedQuery: { version: 1, sha256Hash: id } }), variables: JSON.stringify(variables) });
  return `${server.url}/api/graphql?${search}`;
}

/** What must be equal between the two paths: values that differ per request are checked, then left out. */
function comparable(wire: Wire): Wire {
  const headers = { ...wire.headers };
  expect(headers['x-request-id']).toHaveLength(1);
  expect(headers['date']).toHaveLength(1);
  for (const name of ['x-request-id', 'date']) delete headers[name];
  if (headers['last-modified'] !== undefined) {
    expect(headers['last-modified']).toHaveLength(1);
    expect(Date.parse(headers['last-modified'][0] ?? '')).toBeGreaterThan(0);
    delete headers['last-modified'];
  }
  const requestId = wire.headers['x-request-id']?.[0] ?? '';
  return { status: wire.status, headers, body: wire.body.replace(requestId, '<id>') };
}

let lane: World;
let pipeline: World;
let laneServer: NodeServerHandle;
let pipelineServer: NodeServerHandle;
beforeAll(async () => {
  lane = await startWorld({ env: { RESPONSE_CACHE: '1' }, telemetry: { logDestination: logStream, logLevel: 'info', processMetrics: false } });
  pipeline = await startWorld({ env: { RESPONSE_CACHE: '1', RESPONSE_CACHE_EARLY_HIT: '0' } });
  laneServer = await startNodeServer(lane.gateway.yoga);
  pipelineServer = await startNodeServer(pipeline.gateway.yoga);
});
afterAll(async () => {
  await laneServer.close();
  await pipelineServer.close();
  await lane.close();
  await pipeline.close();
});
beforeEach(() => {
  log.clear();
  lane.resetCounts();
  pipeline.resetCounts();
});

describe('node lane for cached GETs', () => {
  it.each([
    ['(no Accept)', {}, 7],
    ['application/json', { accept: 'application/json' }, 8],
    ['graphql-response+json first', { accept: 'application/graphql-response+json, application/json' }, 9],
  ] as const)('sends on the wire exactly what the pipeline sends, fill and hit, Accept %s', async (_label, accept, first) => {
    const headers = { ...PREFLIGHT, ...accept };
    const viaLane = [await send(catalogueUrl(laneServer, first), headers), await send(catalogueUrl(laneServer, first), headers)];
    const viaPipeline = [await send(catalogueUrl(pipelineServer, first), headers), await send(catalogueUrl(pipelineServer, first), headers)];
    expect(viaLane.map(comparable)).toEqual(viaPipeline.map(comparable));
    expect(viaLane.map((w) => w.status)).toEqual([200, 200]);
    expect(viaLane[1]?.headers['etag']).toEqual([expect.stringMatching(/^"[0-9a-f]{32}"$/)]);
    expect(lane.counts().catalog).toBe(1);
    // The fill went through yoga (a miss: the lane left it untouched); the hit was the lane's.
    const [fill, hit] = requestLines();
    expect(fill).toMatchObject({ cache: 'miss', status: 200, persistedHash: CATALOGUE });
    expect(fill?.['cacheEarly']).toBeUndefined();
    expect(hit).toMatchObject({ cache: 'hit', cacheEarly: 'node', status: 200, persistedHash: CATALOGUE, operation: 'Catalogue' });
    expect(hit?.['requestId']).toBe(viaLane[1]?.headers['x-request-id']?.[0]);
  });

  it('revalidates with If-None-Match as the pipeline does: 304, no body, the same headers', async () => {
    const url = (server: NodeServerHandle) => catalogueUrl(server, 21);
    const etagOf = async (server: NodeServerHandle) => (await send(url(server), PREFLIGHT)).headers['etag']?.[0] ?? '';
    const [laneTag, pipelineTag] = [await etagOf(laneServer), await etagOf(pipelineServer)];
    expect(laneTag).toBe(pipelineTag);
    const viaLane = await send(url(laneServer), { ...PREFLIGHT, 'if-none-match': laneTag });
    const viaPipeline = await send(url(pipelineServer), { ...PREFLIGHT, 'if-none-match': pipelineTag });
    expect(viaLane.status).toBe(304);
    expect(viaLane.body).toBe('');
    expect(comparable(viaLane)).toEqual(comparable(viaPipeline));
    expect(requestLines().map((l) => [l['cache'], l['cacheEarly'], l['status']])).toEqual([
      ['miss', undefined, 200],
      ['not-modified', 'node', 304],
    ]);
  });

  it('spends the caller’s request budget for a hit and answers the pipeline’s 429 past it', async () => {
    const env = { RESPONSE_CACHE: '1', RATE_LIMIT_REQUESTS_PER_WINDOW: '3', RATE_LIMIT_WINDOW_SECONDS: '60' };
    await using limited = await startWorld({ env, telemetry: { logDestination: logStream, logLevel: 'info', processMetrics: false } });
    await using reference = await startWorld({ env: { ...env, RESPONSE_CACHE_EARLY_HIT: '0' } });
    await using limitedServer = await startNodeServer(limited.gateway.yoga);
    await using referenceServer = await startNodeServer(reference.gateway.yoga);
    const run = async (server: NodeServerHandle) => {
      const seen: Wire[] = [];
      for (let i = 0; i < 4; i++) seen.push(await send(catalogueUrl(server, 5), PREFLIGHT));
      return seen;
    };
    const [viaLane, viaPipeline] = [await run(limitedServer), await run(referenceServer)];
    // The fill (yoga) spent 1, each lane hit 1, the refused one nothing more: the lane never spends for a miss.
    // The public answers say nothing of the budget (a shared cache would replay it); the refusal does.
    expect(viaLane.map((w) => [w.status, w.headers['ratelimit-remaining'], w.headers['retry-after']])).toEqual([
      [200, undefined, undefined],
      [200, undefined, undefined],
      [200, undefined, undefined],
      [429, ['0'], ['60']],
    ]);
    expect(viaLane.map(comparable)).toEqual(viaPipeline.map(comparable));
    expect(JSON.parse(viaLane[3]?.body ?? '{}')).toMatchObject({ errors: [{ extensions: { code: 'RATE_LIMITED', requestId: viaLane[3]?.headers['x-request-id']?.[0] } }] });
    expect(limited.counts().catalog).toBe(1);
    expect(requestLines().map((l) => [l['cacheEarly'], l['status'], l['errors']])).toEqual([
      [undefined, 200, undefined],
      ['node', 200, undefined],
      ['node', 200, undefined],
      [undefined, 429, ['RATE_LIMITED']],
    ]);
  });

  it('leaves the caller’s budget headers off a public answer and keeps them on a private one, on every path', async () => {
    const env = { RESPONSE_CACHE: '1', RATE_LIMIT_REQUESTS_PER_WINDOW: '100', RATE_LIMIT_WINDOW_SECONDS: '60' };
    await using early = await startWorld({ env });
    await using piped = await startWorld({ env: { ...env, RESPONSE_CACHE_EARLY_HIT: '0' } });
    await using earlyServer = await startNodeServer(early.gateway.yoga);
    await using pipedServer = await startNodeServer(piped.gateway.yoga);
    const authorization = `Bearer ${await mintDevToken('user-7')}`;
    const budget = (headers: Record<string, string[]>) => Object.keys(headers).filter((name) => name.startsWith('ratelimit') || name === 'retry-after');
    const seen = (wire: Wire) => [wire.status, wire.headers['cache-control']?.[0], budget(wire.headers), wire.headers['x-request-id']?.length];
    const PUBLIC = [200, 'public, max-age=300, stale-while-revalidate=60', [], 1];
    const PRIVATE = [200, 'private, no-cache', ['ratelimit-limit', 'ratelimit-remaining', 'ratelimit-reset', 'ratelimit-policy'], 1];
    // Node lane (hits) and yoga's early hook on one gateway, the pipeline alone on the other; fill, hit, 304.
    for (const server of [earlyServer, pipedServer]) {
      const catalogue = persistedUrl(server, 'Catalogue', { first: 11 });
      const fill = await send(catalogue, PREFLIGHT);
      const hit = await send(catalogue, PREFLIGHT);
      const revalidated = await send(catalogue, { ...PREFLIGHT, 'if-none-match': hit.headers['etag']?.[0] ?? '' });
      expect([fill, hit].map(seen)).toEqual([PUBLIC, PUBLIC]);
      expect(seen(revalidated)).toEqual([304, ...PUBLIC.slice(1)]);
      const me = persistedUrl(server, 'Me', {});
      expect([await send(me, { ...PREFLIGHT, authorization }), await send(me, { ...PREFLIGHT, authorization })].map(seen)).toEqual([PRIVATE, PRIVATE]);
    }
    const viaHook = await early.gateway.yoga.fetch(persistedUrl(earlyServer, 'Catalogue', { first: 11 }), { headers: PREFLIGHT });
    await viaHook.text();
    expect([viaHook.headers.get('cache-control'), [...viaHook.headers.keys()].filter((name) => name.startsWith('ratelimit'))]).toEqual([PUBLIC[1], []]);
    expect(early.counts()).toMatchObject({ catalog: 1, accounts: 1 });
  });

  it('leaves to yoga what it does not serve, which answers as the pipeline does', async () => {
    await send(catalogueUrl(laneServer, 6), PREFLIGHT); // stored
    await send(catalogueUrl(pipelineServer, 6), PREFLIGHT);
    log.clear();
    const cases: [Record<string, string>, number][] = [
      [{ ...PREFLIGHT, origin: 'https://shop.example' }, 200], // CORS is yoga's: its own early hook serves it
      [{ ...PREFLIGHT, authorization: 'Bearer not.a.jwt' }, 401],
      [{ cookie: 'session=abc' }, 400], // a Cookie and no CSRF header
    ];
    for (const [headers, status] of cases) {
      const [viaLane, viaPipeline] = [await send(catalogueUrl(laneServer, 6), headers), await send(catalogueUrl(pipelineServer, 6), headers)];
      expect([headers, viaLane.status]).toEqual([headers, status]);
      expect(comparable(viaLane)).toEqual(comparable(viaPipeline));
    }
    expect(requestLines().map((l) => [l['cacheEarly'], l['status']])).toEqual([
      ['hook', 200],
      [undefined, 401],
      [undefined, 400],
    ]);
    expect(lane.counts().catalog).toBe(1); // the fill only
  });
});
