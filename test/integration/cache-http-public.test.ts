// HTTP caching of public answers (src/plugins/response-cache/http-cache-headers.ts) behind a real RFC 9111 shared
// cache: undici's cache interceptor on an Agent, in front of the gateway on a loopback node:http
// server. An anonymous GET of a PUBLIC persisted operation is served by the cache the second time
// (neither the gateway nor the provider sees it); private, credentialed, cookie-bearing and error
// answers always reach the gateway. A miss and a hit send the same caching headers on every path
// (pipeline, yoga's early hook, the node lane).
import { readFileSync } from 'node:fs';
import { Agent, interceptors, request } from 'undici';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { mintDevToken } from '../../src/dev/dev-jwt';
import { startNodeServer, type NodeServerHandle } from '../../src/server/node-server';
import { startWorld, type World } from '../helpers/world';

const manifest = JSON.parse(readFileSync('persisted-queries/manifest.json', 'utf8')) as { operations: { id: string; name: string }[] };
const idOf = (name: string) => manifest.operations.find((o) => o.name === name)?.id ?? '';

const JSON_ACCEPT = { accept: 'application/graphql-response+json' };
const PUBLIC_CATALOGUE = 'public, max-age=300, stale-while-revalidate=60';
// Development default CORS_ORIGINS is on, so Origin joins what the answer varies by.
const VARY = 'Accept, Authorization, Cookie, Origin';

function search(name: string, variables: Record<string, unknown>): string {
  return new URLSearchParams({ documentId: idOf(name), variables: JSON.stringify(variables) }).toString();
}

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | undefined>;
  readonly body: { data?: unknown; errors?: { extensions: Record<string, unknown> }[] };
}

const CACHING_HEADERS = ['cache-control', 'etag', 'vary', 'x-response-cache'] as const;
const picked = (headers: Record<string, string | undefined>) => Object.fromEntries(CACHING_HEADERS.map((h) => [h, headers[h]]));

let world: World;
let server: NodeServerHandle;
let shared: Agent;
let plain: Agent;
// Requests that reached the gateway's node:http server (the cache's hits never do).
let gatewayRequests = 0;

beforeAll(async () => {
  world = await startWorld({ env: { RESPONSE_CACHE: '1' } });
  server = await startNodeServer(world.gateway.yoga);
  server.server.on('request', () => {
    gatewayRequests += 1;
  });
  shared = new Agent();
  plain = new Agent();
});
afterAll(async () => {
  await shared.close();
  await plain.close();
  await server.close();
  await world.close();
});
afterEach(() => {
  world.upstreams.catalog.clearFaults();
  world.upstreams.accounts.clearFaults();
});

async function send(dispatcher: ReturnType<Agent['compose']> | Agent, query: string, headers: Record<string, string> = {}): Promise<Answer> {
  const res = await request(`${server.url}/api/graphql?${query}`, { dispatcher, headers: { ...JSON_ACCEPT, ...headers } });
  const text = await res.body.text();
  const flat: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(res.headers)) flat[name] = Array.isArray(value) ? value.join(', ') : value;
  return { status: res.statusCode, headers: flat, body: text ? (JSON.parse(text) as Answer['body']) : {} };
}

describe('behind an RFC 9111 shared cache (undici interceptors.cache)', () => {
  // A fresh cache per test, so that one test's stored answers cannot serve another's.
  let cache: ReturnType<Agent['compose']>;
  beforeEach(() => {
    cache = shared.compose(interceptors.cache({ type: 'shared' }));
  });

  const counted = async <T>(work: () => Promise<T>) => {
    world.resetCounts();
    gatewayRequests = 0;
    const result = await work();
    return { result, gateway: gatewayRequests, counts: world.counts() };
  };

  it('serves the second anonymous GET of a PUBLIC persisted query from the cache: the gateway and the provider see one', async () => {
    const query = search('Catalogue', { first: 4 });
    const { result, gateway, counts } = await counted(async () => [await send(cache, query), await send(cache, query)]);
    const [first, second] = result;
    expect(first?.status).toBe(200);
    expect(picked(first?.headers ?? {})).toEqual({ 'cache-control': PUBLIC_CATALOGUE, etag: expect.stringMatching(/^"[0-9a-f]{32}"$/), vary: VARY, 'x-response-cache': 'miss' });
    expect(second?.status).toBe(200);
    expect(second?.body).toEqual(first?.body);
    expect(second?.headers['etag']).toBe(first?.headers['etag']);
    // undici adds the stored answer's age: it was served from its store, not by the gateway.
    expect(second?.headers['age']).toBeDefined();
    expect([gateway, counts.catalog]).toEqual([1, 1]);
  });

  it('gives an answer its smallest maxAge: the product page reaches users (User maxAge 60)', async () => {
    const query = search('ProductDetail', { id: 'prod-2' });
    const { result, gateway } = await counted(async () => [await send(cache, query), await send(cache, query)]);
    expect(result[0]?.headers['cache-control']).toBe('public, max-age=60, stale-while-revalidate=60');
    expect(result[0]?.body.errors).toBeUndefined();
    expect(gateway).toBe(1);
  });

  it('sends a private answer (persisted Me with a token) to the gateway every time', async () => {
    const authorization = `Bearer ${await mintDevToken('user-4')}`;
    const query = search('Me', {});
    const { result, gateway, counts } = await counted(async () => [await send(cache, query, { authorization }), await send(cache, query, { authorization })]);
    expect(result.map((r) => [r.status, r.headers['cache-control'], r.headers['vary'], r.headers['x-response-cache']])).toEqual([
      [200, 'private, no-cache', VARY, 'miss'],
      [200, 'private, no-cache', VARY, 'hit'],
    ]);
    // Both reached the gateway; its own per-caller cache answered the second.
    expect([gateway, counts.accounts]).toEqual([2, 1]);
  });

  it('never serves a stored public answer to a credentialed request of the same URL (Vary: Authorization, Cookie)', async () => {
    const query = search('Catalogue', { first: 5 });
    const authorization = `Bearer ${await mintDevToken('user-5')}`;
    const anonymous = {};
    const steps: [Record<string, string>, number, string][] = [
      [anonymous, 200, PUBLIC_CATALOGUE], // stored by the cache
      [anonymous, 200, PUBLIC_CATALOGUE], // served by the cache
      [{ authorization }, 200, 'private, no-cache'],
      [anonymous, 200, PUBLIC_CATALOGUE],
      [{ authorization: 'Bearer not.a.jwt' }, 401, 'no-store'],
      [anonymous, 200, PUBLIC_CATALOGUE],
      [{ cookie: 'session=abc', 'apollo-require-preflight': 'true' }, 200, 'private, no-cache'],
      [anonymous, 200, PUBLIC_CATALOGUE],
      [{ cookie: 'session=abc' }, 400, 'no-store'], // CSRF: a Cookie without a preflight-forcing header
      [anonymous, 200, PUBLIC_CATALOGUE],
      [anonymous, 200, PUBLIC_CATALOGUE],
    ];
    gatewayRequests = 0;
    const seen: [Record<string, string>, number, string | undefined, number][] = [];
    for (const [headers] of steps) {
      const answer = await send(cache, query, headers);
      seen.push([headers, answer.status, answer.headers['cache-control'], gatewayRequests]);
    }
    // Every credentialed request reached the gateway although an anonymous answer was stored just
    // before it. undici then drops the stored answers of that URL (it reads a private or no-store
    // answer as "do not reuse what you hold"), so the next anonymous request is stored afresh.
    expect(seen).toEqual(steps.map(([headers, status, cacheControl], i) => [headers, status, cacheControl, [1, 1, 2, 3, 4, 5, 6, 7, 8, 9, 9][i]]));
  });

  it('never stores an error or a partial answer: no-store, and every request reaches the gateway', async () => {
    world.upstreams.catalog.fault({ kind: 'status', status: 404 });
    const failed = search('Catalogue', { first: 6 });
    const errors = await counted(async () => [await send(cache, failed), await send(cache, failed)]);
    expect(errors.result.map((r) => [r.status, r.headers['cache-control'], r.headers['etag'], r.body.errors?.[0]?.extensions['code']])).toEqual([
      [503, 'no-store', undefined, 'UPSTREAM_BAD_RESPONSE'],
      [503, 'no-store', undefined, 'UPSTREAM_BAD_RESPONSE'],
    ]);
    expect(errors.gateway).toBe(2);

    world.upstreams.catalog.clearFaults();
    world.upstreams.accounts.fault({ kind: 'status', status: 404 });
    // Review authors come from accounts: they are null with errors, the rest of the page arrives.
    const partial = search('ProductDetail', { id: 'prod-3' });
    const partials = await counted(async () => [await send(cache, partial), await send(cache, partial)]);
    expect(partials.result.map((r) => [r.status, r.headers['cache-control'], r.headers['etag'], r.body.errors?.[0]?.extensions['code']])).toEqual([
      [200, 'no-store', undefined, 'UPSTREAM_BAD_RESPONSE'],
      [200, 'no-store', undefined, 'UPSTREAM_BAD_RESPONSE'],
    ]);
    expect(partials.result.every((r) => (r.body.data as { product?: { id?: string } } | undefined)?.product?.id === 'prod-3')).toBe(true);
    expect(partials.gateway).toBe(2);
  });
});

describe('a miss and a hit send the same caching headers on every path', () => {
  it('node lane (node:http), early hook (yoga.fetch) and pipeline (early hit off) agree, fill and hit', async () => {
    await using pipeline = await startWorld({ env: { RESPONSE_CACHE: '1', RESPONSE_CACHE_EARLY_HIT: '0' } });
    const viaFetch = async (target: World, query: string) => {
      const res = await target.gateway.yoga.fetch(`http://gateway/api/graphql?${query}`, { headers: JSON_ACCEPT });
      await res.text();
      return picked(Object.fromEntries(CACHING_HEADERS.map((h) => [h, res.headers.get(h) ?? undefined])));
    };
    const lane = [await send(plain, search('Catalogue', { first: 7 })), await send(plain, search('Catalogue', { first: 7 }))].map((a) => picked(a.headers));
    const hook = [await viaFetch(world, search('Catalogue', { first: 8 })), await viaFetch(world, search('Catalogue', { first: 8 }))];
    const piped = [await viaFetch(pipeline, search('Catalogue', { first: 8 })), await viaFetch(pipeline, search('Catalogue', { first: 8 }))];
    for (const [fill, hit] of [lane, hook, piped]) {
      expect(fill).toEqual({ 'cache-control': PUBLIC_CATALOGUE, etag: expect.stringMatching(/^"[0-9a-f]{32}"$/), vary: VARY, 'x-response-cache': 'miss' });
      expect(hit).toEqual({ ...fill, 'x-response-cache': 'hit' });
    }
    // The same data in the same media type: the same strong ETag, whoever computed it.
    expect(hook[1]?.['etag']).toBe(piped[1]?.['etag']);
  });

  it('omits stale-while-revalidate when RESPONSE_CACHE_STALE_WHILE_REVALIDATE=0', async () => {
    await using noStale = await startWorld({ env: { RESPONSE_CACHE: '1', RESPONSE_CACHE_STALE_WHILE_REVALIDATE: '0' } });
    const res = await noStale.gateway.yoga.fetch(`http://gateway/api/graphql?${search('Catalogue', { first: 2 })}`, { headers: JSON_ACCEPT });
    await res.text();
    expect(res.headers.get('cache-control')).toBe('public, max-age=300');
  });
});
