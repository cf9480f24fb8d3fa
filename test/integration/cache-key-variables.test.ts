// Response cache keys are built from the variables the operation declares, coerced, never from the
// raw ones: unknown variables (`{"first":1,"junk":<random>}`) must not make a new entry and an
// upstream call each time. Through every door that builds a key: POST through the pipeline (a
// persisted id and a full document), GET answered early in yoga's first hook, GET on the node lane;
// the early paths must find what the pipeline stored and the other way round. Provider counts
// prove hits and misses.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startNodeServer } from '../../src/server/node-server';
import { captureLog } from '../helpers/log-capture';
import { startWorld, type World } from '../helpers/world';

const log = captureLog();
const logStream = log.stream;

const manifest = JSON.parse(readFileSync('persisted-queries/manifest.json', 'utf8')) as { operations: { id: string; name: string; body: string }[] };
const catalogue = manifest.operations.find((o) => o.name === 'Catalogue');
const CATALOGUE = catalogue?.id ?? '';
const CATALOGUE_BODY = catalogue?.body ?? '';
// Sent in full (not a manifest body): parsed by the key builder, not pre-parsed.
const PRODUCTS = 'query Products($first: Int = 20) { products(first: $first) { edges { node { id title } } } }';
const PREFLIGHT = { 'x-apollo-operation-name': 'Catalogue' };
const APQ = { persistedQuery: { version: 1, sha256Hash: CATALOGUE } };

let world: World;
beforeAll(async () => {
  world = await startWorld({ env: { RESPONSE_CACHE: '1' }, telemetry: { logDestination: logStream, logLevel: 'info', processMetrics: false } });
});
afterAll(() => world.close());
beforeEach(() => {
  log.clear();
  world.resetCounts();
});

interface Answer {
  readonly status: number;
  readonly cache: string | null;
  readonly body: { data?: { products?: { edges: unknown[] } } | null; errors?: { extensions: Record<string, unknown> }[] };
}

async function answerOf(res: Response): Promise<Answer> {
  return { status: res.status, cache: res.headers.get('x-response-cache'), body: (await res.json()) as Answer['body'] };
}

async function post(payload: Record<string, unknown>): Promise<Answer> {
  const headers = { 'content-type': 'application/json', accept: 'application/graphql-response+json' };
  return answerOf(await world.gateway.yoga.fetch('http://gateway/api/graphql', { method: 'POST', headers, body: JSON.stringify(payload) }));
}

const postCatalogue = (variables: Record<string, unknown>) => post({ extensions: APQ, variables });
const catalogueSearch = (variables: Record<string, unknown>) => new URLSearchParams({ extensions: JSON.stringify(APQ), variables: JSON.stringify(variables) });

async function getCatalogue(variables: Record<string, unknown>): Promise<Answer> {
  return answerOf(await world.gateway.yoga.fetch(`http://gateway/api/graphql?${catalogueSearch(variables)}`, { headers: { accept: 'application/graphql-response+json', ...PREFLIGHT } }));
}

/** Who answered each request so far: the pipeline (undefined), yoga's first hook or the node lane. */
const servedBy = () => log.requestLines().map((l) => [l['cache'], l['cacheEarly']]);
const junk = () => ({ junk: randomUUID() });

describe('undeclared variables do not change the key', () => {
  it('POST of a persisted id: 5 requests with different junk are one entry and one upstream call', async () => {
    const answers: Answer[] = [];
    for (let i = 0; i < 5; i++) answers.push(await postCatalogue({ first: 1, ...junk() }));
    expect(answers.map((a) => [a.status, a.cache])).toEqual([[200, 'miss'], ...Array<[number, string]>(4).fill([200, 'hit'])]);
    expect(answers[0]?.body.data?.products?.edges).toHaveLength(1);
    for (const a of answers) expect(a.body).toEqual(answers[0]?.body);
    expect(world.counts().catalog).toBe(1);

    // A declared variable that changes is a new entry.
    expect((await postCatalogue({ first: 2, ...junk() })).cache).toBe('miss');
    expect((await postCatalogue({ first: 2, ...junk() })).cache).toBe('hit');
    expect(world.counts().catalog).toBe(2);
  });

  it('POST of a full document: the same, its variables read from the document sent', async () => {
    const caches: (string | null)[] = [];
    for (let i = 0; i < 5; i++) caches.push((await post({ query: PRODUCTS, variables: { first: 3, ...junk() } })).cache);
    expect(caches).toEqual(['miss', 'hit', 'hit', 'hit', 'hit']);
    expect((await post({ query: PRODUCTS, variables: { first: 4, ...junk() } })).cache).toBe('miss');
    expect(world.counts().catalog).toBe(2);
  });

  it('keys coerced values: a default sent or left out, an Int sent as an Int, are one entry', async () => {
    expect((await post({ query: PRODUCTS, variables: {} })).cache).toBe('miss');
    expect((await post({ query: PRODUCTS, variables: { first: 20, ...junk() } })).cache).toBe('hit');
    expect((await post({ query: PRODUCTS })).cache).toBe('hit');
    expect(world.counts().catalog).toBe(1);
  });

  it('does not cache variables that fail coercion (the request fails anyway)', async () => {
    const answers = [await postCatalogue({ first: 'one' }), await postCatalogue({ first: 'one' })];
    expect(answers.map((a) => [a.cache, a.body.errors?.length])).toEqual([
      ['uncacheable', 1],
      ['uncacheable', 1],
    ]);
    expect(world.counts().catalog).toBe(0);
  });
});

describe('the early paths key a GET as the pipeline does', () => {
  it('GET answered in yoga’s first hook: one fill, then early hits whatever the junk', async () => {
    const answers: Answer[] = [];
    for (let i = 0; i < 5; i++) answers.push(await getCatalogue({ first: 5, ...junk() }));
    expect(answers.map((a) => a.cache)).toEqual(['miss', 'hit', 'hit', 'hit', 'hit']);
    expect(servedBy()).toEqual([['miss', undefined], ...Array<[string, string]>(4).fill(['hit', 'hook'])]);
    expect(world.counts().catalog).toBe(1);
    expect((await getCatalogue({ first: 6, ...junk() })).cache).toBe('miss');
    expect(world.counts().catalog).toBe(2);
  });

  it('finds early what a POST stored, and the POST finds what a GET stored (defaults coerced alike)', async () => {
    expect((await postCatalogue({ first: 7, ...junk() })).cache).toBe('miss');
    expect((await getCatalogue({ first: 7, ...junk() })).cache).toBe('hit');
    // Catalogue declares `$first: Int = 20`: `{}` and `{ first: 20 }` are one entry on both paths.
    expect(CATALOGUE_BODY).toContain('query Catalogue($after: String, $first: Int = 20)');
    expect((await getCatalogue(junk())).cache).toBe('miss');
    expect((await postCatalogue({ first: 20, ...junk() })).cache).toBe('hit');
    expect((await getCatalogue({ first: 20 })).cache).toBe('hit');
    expect(servedBy()).toEqual([
      ['miss', undefined],
      ['hit', 'hook'],
      ['miss', undefined],
      ['hit', undefined],
      ['hit', 'hook'],
    ]);
    expect(world.counts().catalog).toBe(2);
  });

  it('GET on the node lane (real node:http): one fill, then lane hits whatever the junk', async () => {
    await using server = await startNodeServer(world.gateway.yoga);
    const caches: (string | null)[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await fetch(`${server.url}/api/graphql?${catalogueSearch({ first: 8, ...junk() })}`, { headers: PREFLIGHT });
      await res.text();
      caches.push(res.headers.get('x-response-cache'));
    }
    expect(caches).toEqual(['miss', 'hit', 'hit', 'hit']);
    expect(servedBy()).toEqual([['miss', undefined], ...Array<[string, string]>(3).fill(['hit', 'node'])]);
    expect(world.counts().catalog).toBe(1);
  });

  it('keys a trusted-document GET (documentId) as the pipeline does', async () => {
    const url = (variables: Record<string, unknown>) =>
      `http://gateway/api/graphql?${new URLSearchParams({ documentId: `sha256:${CATALOGUE}`, variables: JSON.stringify(variables) })}`;
    const caches: (string | null)[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await world.gateway.yoga.fetch(url({ first: 9, ...junk() }), { headers: { accept: 'application/graphql-response+json', ...PREFLIGHT } });
      await res.text();
      caches.push(res.headers.get('x-response-cache'));
    }
    expect(caches).toEqual(['miss', 'hit', 'hit']);
    expect(servedBy()).toEqual([['miss', undefined], ...Array<[string, string]>(2).fill(['hit', 'hook'])]);
    expect(world.counts().catalog).toBe(1);
  });
});
