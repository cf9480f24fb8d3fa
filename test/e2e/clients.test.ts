// Real clients against the gateway on a loopback port: Apollo Client (persisted-queries link with the
// manifest's ids), urql (persisted exchange) and graphql-request (trusted documents), in enforce mode;
// and the APQ not-found-then-register flow of Apollo and urql in development (off) mode.
import { createHash } from 'node:crypto';
import { ApolloClient, CombinedGraphQLErrors, HttpLink, InMemoryCache } from '@apollo/client/core';
import { PersistedQueryLink } from '@apollo/client/link/persisted-queries';
import { generatePersistedQueryIdsFromManifest } from '@apollo/persisted-query-lists';
import { Client, fetchExchange } from '@urql/core';
import { persistedExchange } from '@urql/exchange-persisted';
import { ClientError, GraphQLClient } from 'graphql-request';
import { Kind, parse, type DocumentNode } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintDevToken } from '../../src/dev/dev-jwt';
import { extractOperations } from '../../src/operations/extract-operations';
import { readOperationTexts } from '../../src/operations/manifest-files';
import { startNodeServer, type NodeServerHandle } from '../../src/server/node-server';
import { startWorld, type World } from '../helpers/world';
import manifest from '../../persisted-queries/manifest.json';

// What a client bundle holds: the operations as written (no __typename; clients add their own).
const documents = new Map(extractOperations(readOperationTexts('persisted-queries'), { addTypename: false }).map((o) => [o.name, o.document]));
function doc(name: string): DocumentNode {
  const d = documents.get(name);
  if (!d) throw new Error(`no operation ${name}`);
  return d;
}
const idOf = (name: string) => manifest.operations.find((o) => o.name === name)?.id;
const operationName = (d: DocumentNode) => d.definitions.find((x) => x.kind === Kind.OPERATION_DEFINITION)?.name?.value;

// No preflight header: the CSRF rule checks only GETs that carry a Cookie, and these clients send none.

interface Seen {
  method: string;
  url: string;
  body: Record<string, unknown> | undefined;
}
/** Real fetch, recording what the client put on the wire. */
function recordingFetch(seen: Seen[]): typeof fetch {
  return async (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const body = typeof init?.body === 'string' ? (JSON.parse(init.body) as Record<string, unknown>) : undefined;
    seen.push({ method: init?.method ?? 'GET', url, body });
    return fetch(input, init);
  };
}
const queryParams = (s: Seen) => Object.fromEntries(new URL(s.url).searchParams);

describe('enforce mode, with the manifest', () => {
  let world: World;
  let server: NodeServerHandle;
  let url: string;
  let token: string;
  beforeAll(async () => {
    world = await startWorld({ env: { PERSISTED_OPERATIONS: 'enforce' } });
    server = await startNodeServer(world.gateway.yoga);
    url = `${server.url}/api/graphql`;
    token = await mintDevToken('user-1');
  });
  afterAll(async () => {
    await server.close();
    await world.close();
  });

  it('Apollo Client core: the persisted-queries link sends manifest ids only (POST, and GET for queries)', async () => {
    const seen: Seen[] = [];
    const ids = generatePersistedQueryIdsFromManifest({ loadManifest: () => manifest });
    const client = (useGETForHashedQueries: boolean) =>
      new ApolloClient({
        cache: new InMemoryCache(),
        link: new PersistedQueryLink({ ...ids, useGETForHashedQueries }).concat(
          new HttpLink({ uri: url, headers: { authorization: `Bearer ${token}` }, fetch: recordingFetch(seen) }),
        ),
      });

    const page = await client(false).query({ query: doc('OrderPage') });
    const edges = (page.data as { orders: { edges: { node: { id: string; __typename: string } }[] } }).orders.edges;
    expect(edges).toHaveLength(20);
    expect(edges[0]?.node.__typename).toBe('Order');
    expect(seen[0]?.method).toBe('POST');
    expect(seen[0]?.body?.['query']).toBeUndefined();
    expect(seen[0]?.body?.['extensions']).toMatchObject({ persistedQuery: { version: 1, sha256Hash: idOf('OrderPage') } });

    const detail = await client(true).query({ query: doc('ProductDetail'), variables: { id: 'prod-7' } });
    expect((detail.data as { product: { id: string } }).product.id).toBe('prod-7');
    expect(seen[1]?.method).toBe('GET');
    expect(queryParams(seen[1] as Seen)['query']).toBeUndefined();

    const placed = await client(false).mutate({
      mutation: doc('PlaceOrder'),
      variables: { input: { lines: [{ productId: 'prod-3', quantity: 2 }] }, idempotencyKey: 'apollo-e2e-0001' },
    });
    expect((placed.data as { placeOrder: { status: string } }).placeOrder.status).toBe('PLACED');
    expect(seen).toHaveLength(3);
  });

  it('urql: the persisted exchange with manifest ids, enforced (no document ever sent)', async () => {
    const seen: Seen[] = [];
    const client = new Client({
      url,
      fetch: recordingFetch(seen),
      exchanges: [persistedExchange({ enforcePersistedQueries: true, generateHash: async (_query, document) => idOf(operationName(document) ?? '') }), fetchExchange],
    });
    const result = await client.query(doc('Catalogue'), { first: 5 }).toPromise();
    expect(result.error).toBeUndefined();
    expect((result.data as { products: { edges: unknown[] } }).products.edges).toHaveLength(5);
    expect(seen).toHaveLength(1);
    expect(seen[0]?.method).toBe('GET');
    expect(queryParams(seen[0] as Seen)['query']).toBeUndefined();
    expect(JSON.parse(queryParams(seen[0] as Seen)['extensions'] ?? '{}')).toEqual({ persistedQuery: { version: 1, sha256Hash: idOf('Catalogue') } });
  });

  it('graphql-request: trusted documents by documentId; an arbitrary document is refused 403 PERSISTED_QUERY_ONLY', async () => {
    const client = new GraphQLClient(url, {
      requestMiddleware: (request) => {
        const sent = JSON.parse(String(request.body)) as { query: string; variables?: unknown; operationName?: string };
        const id = idOf(operationName(parse(sent.query)) ?? '');
        return id ? { ...request, body: JSON.stringify({ documentId: `sha256:${id}`, variables: sent.variables, operationName: sent.operationName }) } : request;
      },
    });
    const profile = await client.request<{ user: { id: string; name: string } }>(doc('UserProfile'), { id: 'user-2' });
    expect(profile.user.id).toBe('user-2');

    const refused = await client.request('{ ping }').catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ClientError);
    const response = (refused as ClientError).response;
    expect(response.status).toBe(403);
    expect(response.errors?.[0]?.extensions?.['code']).toBe('PERSISTED_QUERY_ONLY');
  });

  it('Apollo Client: an unknown hash surfaces PERSISTED_QUERY_NOT_FOUND (registration refused)', async () => {
    const client = new ApolloClient({
      cache: new InMemoryCache(),
      link: new PersistedQueryLink({ sha256: (q: string) => createHash('sha256').update(q).digest('hex') }).concat(new HttpLink({ uri: url })),
    });
    const error = await client.query({ query: parse('query NotListed { ping }') }).catch((e: unknown) => e);
    expect(CombinedGraphQLErrors.is(error)).toBe(true);
    expect((error as CombinedGraphQLErrors).errors[0]?.extensions?.['code']).toBe('PERSISTED_QUERY_NOT_FOUND');
  });
});

describe('development (off) mode: APQ registration', () => {
  let world: World;
  let server: NodeServerHandle;
  let url: string;
  beforeAll(async () => {
    world = await startWorld({ env: { PERSISTED_OPERATIONS: 'off' } });
    server = await startNodeServer(world.gateway.yoga);
    url = `${server.url}/api/graphql`;
  });
  afterAll(async () => {
    await server.close();
    await world.close();
  });

  it('Apollo Client: hash only → not found → hash + document registers; the next client sends the hash only', async () => {
    const seen: Seen[] = [];
    const client = () =>
      new ApolloClient({
        cache: new InMemoryCache(),
        link: new PersistedQueryLink({ sha256: (q: string) => createHash('sha256').update(q).digest('hex') }).concat(
          new HttpLink({ uri: url, fetch: recordingFetch(seen) }),
        ),
      });
    const query = parse('query ProductTitle($id: ID!) { product(id: $id) { title } }');
    const first = await client().query({ query, variables: { id: 'prod-2' } });
    expect((first.data as { product: { title: string } }).product.title).toBeTruthy();
    expect(seen.map((s) => [s.body?.['query'] === undefined ? 'hash' : 'hash+query'])).toEqual([['hash'], ['hash+query']]);

    const second = await client().query({ query, variables: { id: 'prod-3' } });
    expect((second.data as { product: { title: string } }).product.title).toBeTruthy();
    expect(seen).toHaveLength(3);
    expect(seen[2]?.body?.['query']).toBeUndefined();
  });

  it('urql: the same flow with its default sha256, over GET', async () => {
    const seen: Seen[] = [];
    const client = () =>
      new Client({ url, fetch: recordingFetch(seen), exchanges: [persistedExchange(), fetchExchange] });
    const query = parse('query UrqlPing { ping }');
    const first = await client().query(query, {}).toPromise();
    expect(first.data).toEqual({ ping: true });
    expect(seen.map((s) => (queryParams(s)['query'] ?? s.body?.['query']) === undefined ? 'hash' : 'hash+query')).toEqual(['hash', 'hash+query']);
    const second = await client().query(query, {}).toPromise();
    expect(second.data).toEqual({ ping: true });
    expect(seen).toHaveLength(3);
    expect(queryParams(seen[2] as Seen)['query']).toBeUndefined();
  });
});
