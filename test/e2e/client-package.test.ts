// The client package (@bff/client, clients/typescript) against the production build with the allowlist
// enforced: `DEMO=1 PERSISTED_OPERATIONS=enforce npm start` (next start, simulated providers), one launch
// for the file. One example per client, each as an application would write it with the package: Apollo
// Client, urql (default exchanges plus the package's persisted exchange), graphql-request in GET mode and
// plain fetch. Each asserts the data, the method on the wire and that no document text was sent.
import { readFileSync } from 'node:fs';
import { ApolloClient, HttpLink, InMemoryCache } from '@apollo/client/core';
import { cacheExchange, Client, fetchExchange } from '@urql/core';
import { ClientError, GraphQLClient } from 'graphql-request';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CatalogueDocument,
  documentId,
  MeDocument,
  MyRecentOrdersDocument,
  OrderDetailDocument,
  persistedDocuments,
  PlaceOrderDocument,
  ProductDetailDocument,
  UserProfileDocument,
} from '@bff/client';
import { persistedQueryLink } from '@bff/client/apollo';
import { fetchPersisted, persistedQueryUrl } from '@bff/client/fetch';
import { persistedFetch } from '@bff/client/graphql-request';
import { persistedExchange } from '@bff/client/urql';
import { mintDevToken } from '../../src/dev/dev-jwt';
import { ensureNextBuild, freePort, launch, type Launched } from '../helpers/processes';

const manifest = JSON.parse(readFileSync('persisted-queries/manifest.json', 'utf8')) as { operations: { id: string; name: string; body: string }[] };
const idOf = (name: string) => manifest.operations.find((o) => o.name === name)?.id;

interface Seen {
  readonly method: string;
  readonly url: URL;
  readonly headers: Headers;
  readonly body: string | undefined;
}
/** The real fetch, recording what the client put on the wire. */
function recordingFetch(seen: Seen[]): typeof fetch {
  return async (input, init) => {
    const request = new Request(input, init);
    const body = request.method === 'GET' || request.method === 'HEAD' ? undefined : await request.clone().text();
    seen.push({ method: request.method, url: new URL(request.url), headers: request.headers, body });
    return fetch(request);
  };
}
/** Every body of the manifest, so that a request carrying any document text (however printed) is caught. */
const bodies = manifest.operations.map((o) => o.body);
function expectNoDocumentText(request: Seen | undefined): void {
  expect(request).toBeDefined();
  const sent = `${decodeURIComponent(request?.url.search ?? '')}\n${request?.body ?? ''}`;
  expect(request?.url.searchParams.has('query')).toBe(false);
  expect(sent).not.toMatch(/\b(query|mutation|fragment)\s+[A-Z]\w*\s*[({]/);
  expect(sent).not.toMatch(/"query"\s*:/);
  for (const body of bodies) expect(sent).not.toContain(body.slice(0, 40));
}

let server: Launched;
let url: string;
let token: string;

beforeAll(async () => {
  ensureNextBuild();
  const port = await freePort();
  url = `http://127.0.0.1:${port}/api/graphql`;
  server = await launch(['start'], { DEMO: '1', PORT: String(port), PERSISTED_OPERATIONS: 'enforce' });
  token = await mintDevToken('user-1');
}, 240_000);
afterAll(async () => {
  await server?.stop();
});

describe('the package', () => {
  it("carries the manifest's ids: the same id for the same body, for every operation", () => {
    expect(Object.keys(persistedDocuments).sort()).toEqual(manifest.operations.map((o) => o.id).sort());
    for (const op of manifest.operations) expect((persistedDocuments as Record<string, string>)[op.id]).toBe(op.body);
    expect(documentId(CatalogueDocument)).toBe(idOf('Catalogue'));
    expect(documentId(PlaceOrderDocument)).toBe(idOf('PlaceOrder'));
  });

  it('is refused by the production allowlist when a document is not in the manifest (the gateway really enforces)', async () => {
    const res = await fetch(`${url}?query=${encodeURIComponent('{ ping }')}`, { headers: { accept: 'application/json' } });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { errors: { extensions: { code: string } }[] }).errors[0]?.extensions.code).toBe('PERSISTED_QUERY_ONLY');
  });
});

describe('one example per client, against next start with PERSISTED_OPERATIONS=enforce', () => {
  it('Apollo Client: persistedQueryLink() — queries by id over GET, a mutation by id over POST', async () => {
    const seen: Seen[] = [];
    const client = new ApolloClient({
      cache: new InMemoryCache(),
      link: persistedQueryLink().concat(new HttpLink({ uri: url, headers: { authorization: `Bearer ${token}` }, fetch: recordingFetch(seen) })),
    });

    const page = await client.query({ query: MyRecentOrdersDocument });
    expect(page.error).toBeUndefined();
    expect(page.data?.me?.id).toBe('user-1');
    expect(page.data?.me?.orders.length).toBeGreaterThan(0);
    expect(seen[0]?.method).toBe('GET');
    expect(JSON.parse(seen[0]?.url.searchParams.get('extensions') ?? '{}')).toMatchObject({ persistedQuery: { version: 1, sha256Hash: idOf('MyRecentOrders') } });
    expectNoDocumentText(seen[0]);

    const placed = await client.mutate({
      mutation: PlaceOrderDocument,
      variables: { input: { lines: [{ productId: 'prod-3', quantity: 2 }] }, idempotencyKey: 'client-package-apollo-1' },
    });
    expect(placed.error).toBeUndefined();
    expect(placed.data?.placeOrder.status).toBe('PLACED');
    expect(seen[1]?.method).toBe('POST');
    expect(JSON.parse(seen[1]?.body ?? '{}')).toMatchObject({ extensions: { persistedQuery: { sha256Hash: idOf('PlaceOrder') } } });
    expectNoDocumentText(seen[1]);
    expect(seen).toHaveLength(2);
  });

  it('urql: its default exchanges plus the package persisted exchange — GET by id, no preflight header', async () => {
    const seen: Seen[] = [];
    const client = new Client({ url, fetch: recordingFetch(seen), exchanges: [cacheExchange, persistedExchange(), fetchExchange] });
    const result = await client.query(CatalogueDocument, { first: 5 }).toPromise();
    expect(result.error).toBeUndefined();
    expect(result.data?.products.edges).toHaveLength(5);
    expect(result.data?.products.edges[0]?.node.title).toBeTruthy();
    expect(seen).toHaveLength(1);
    expect(seen[0]?.method).toBe('GET');
    expect(JSON.parse(seen[0]?.url.searchParams.get('extensions') ?? '{}')).toEqual({ persistedQuery: { version: 1, sha256Hash: idOf('Catalogue') } });
    for (const name of ['apollo-require-preflight', 'x-apollo-operation-name', 'graphql-require-preflight', 'cookie']) expect(seen[0]?.headers.has(name)).toBe(false);
    expectNoDocumentText(seen[0]);
  });

  it("graphql-request in GET mode: the package's documents by documentId (persistedFetch)", async () => {
    const seen: Seen[] = [];
    const client = new GraphQLClient(url, { method: 'GET', headers: { authorization: `Bearer ${token}` }, fetch: persistedFetch(recordingFetch(seen)) });
    const profile = await client.request(UserProfileDocument, { id: 'user-2' });
    expect(profile.user?.id).toBe('user-2');
    expect(profile.user?.name).toBeTruthy();
    expect(seen[0]?.method).toBe('GET');
    expect(seen[0]?.url.searchParams.get('documentId')).toBe(`sha256:${idOf('UserProfile')}`);
    expectNoDocumentText(seen[0]);

    const detail = await client.request(OrderDetailDocument, { id: 'ord-1' });
    expect(detail.order?.id).toBe('ord-1');
    expect(seen[1]?.url.searchParams.get('documentId')).toBe(`sha256:${idOf('OrderDetail')}`);
    expectNoDocumentText(seen[1]);

    // A document outside the package goes as written, and the allowlist refuses it.
    const refused = await client.request('query NotPersisted { ping }').catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ClientError);
    expect((refused as ClientError).response.status).toBe(403);
    expect(seen[2]?.url.searchParams.has('query')).toBe(true);
  });

  it('plain fetch: GET ?documentId=… (fetchPersisted, or persistedQueryUrl with any fetch)', async () => {
    const seen: Seen[] = [];
    const product = await fetchPersisted(url, ProductDetailDocument, { id: 'prod-7' }, { fetch: recordingFetch(seen) });
    expect(product.status).toBe(200);
    expect(product.errors).toBeUndefined();
    expect(product.data?.product?.id).toBe('prod-7');
    expect(seen[0]?.method).toBe('GET');
    expect(seen[0]?.url.searchParams.get('documentId')).toBe(`sha256:${idOf('ProductDetail')}`);
    expectNoDocumentText(seen[0]);

    const me = await fetchPersisted(url, MeDocument, undefined, { fetch: recordingFetch(seen), headers: { authorization: `Bearer ${token}` } });
    expect(me.data?.me?.id).toBe('user-1');
    expect(seen[1]?.method).toBe('GET');
    expectNoDocumentText(seen[1]);

    // The URL alone, for a fetch written by hand (or curl): same answer.
    const res = await fetch(persistedQueryUrl(url, ProductDetailDocument, { id: 'prod-7' }));
    expect(res.status).toBe(200);
    expect(((await res.json()) as { data: { product: { id: string } } }).data.product.id).toBe('prod-7');
  });
});
