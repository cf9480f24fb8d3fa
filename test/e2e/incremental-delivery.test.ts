// @defer under `next start` (the Pages API route) and Next's custom server, with real clients: Apollo
// Client (Defer20220824Handler, the package's persisted-query link) and urql (the package's persisted
// exchange). The gateway runs in production mode against simulators in this process, so the reviews
// provider can be held by a gate: the first part must reach the client while it is shut (no timing).
// The response cache is on, so GETs of persisted operations pass the node lane for cached GETs first.
import { ApolloClient, CombinedGraphQLErrors, HttpLink, InMemoryCache, type ObservableQuery } from '@apollo/client';
import { Defer20220824Handler, GraphQL17Alpha9Handler } from '@apollo/client/incremental';
import { cacheExchange, Client, fetchExchange, type OperationResult } from '@urql/core';
import { documentId, OrderPageDeferredReviewsDocument, OrderPageDocument } from '@bff/client';
import { persistedQueryLink } from '@bff/client/apollo';
import { persistedExchange } from '@bff/client/urql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoEnv } from '../../src/dev/demo-env';
import { mintDevToken } from '../../src/dev/dev-jwt';
import { fixtures, startUpstreams, type Upstreams } from '../../src/dev/upstreams';
import { multipartParts } from '../helpers/multipart';
import { ensureNextBuild, freePort, launch, type Launched } from '../helpers/processes';

const JWT_SECRET = 'e2e-incremental-jwt-secret-0123456789abcdef';
// One caller per test: answers are cached per caller, and each test must see its own stream.
const CALLERS = Array.from({ length: 60 }, (_, i) => `user-${i + 2}`).filter((id) => fixtures.ordersOf(id).length > 0);

let upstreams: Upstreams;
let next: Launched;
let custom: Launched;
let url: string;
let customUrl: string;

beforeAll(async () => {
  ensureNextBuild();
  upstreams = await startUpstreams({ credentialPrefix: 'e2e-' });
  const [port, customPort] = [await freePort(), await freePort()];
  url = `http://127.0.0.1:${port}/api/graphql`;
  customUrl = `http://127.0.0.1:${customPort}/api/graphql`;
  const env = { ...demoEnv(upstreams), DEMO: '0', JWT_SECRET, PERSISTED_OPERATIONS: 'enforce', RESPONSE_CACHE: '1', RATE_LIMIT_BURST_REQUESTS: '0' };
  [next, custom] = await Promise.all([launch(['start'], { ...env, PORT: String(port) }), launch(['start', '--custom-server'], { ...env, PORT: String(customPort) })]);
}, 300_000);
afterAll(async () => {
  await next?.stop();
  await custom?.stop();
  await upstreams?.close();
});

let callerIndex = 0;
const nextCaller = () => CALLERS[callerIndex++ % CALLERS.length] ?? 'user-1';
const tokenOf = (caller: string) => mintDevToken(caller, { secret: JWT_SECRET });

/** A gate for the held reviews provider: it answers once `open()` is called. */
function holdReviews() {
  let open: () => void = () => {};
  const until = new Promise<void>((resolve) => (open = resolve));
  const fault = upstreams.reviews.fault({ kind: 'hold', until });
  return {
    open: () => {
      fault.clear();
      open();
    },
  };
}

/** The first value of a subscription that passes a test, seen or still to come (no polling). */
function collector<T>() {
  const seen: T[] = [];
  const waiting = new Set<{ test: (value: T) => boolean; resolve: (value: T) => void }>();
  return {
    push(value: T) {
      seen.push(value);
      for (const w of [...waiting]) {
        if (!w.test(value)) continue;
        waiting.delete(w);
        w.resolve(value);
      }
    },
    until(test: (value: T) => boolean): Promise<T> {
      const found = seen.find(test);
      return found !== undefined ? Promise.resolve(found) : new Promise((resolve) => waiting.add({ test, resolve }));
    },
  };
}

type OrderEdges = { node: { lines: { product: { reviews?: unknown[]; averageRating?: number | null } }[] } }[];
const edgesOf = (data: unknown) => ((data as { orders?: { edges?: OrderEdges } } | undefined)?.orders?.edges ?? []);
const hasReviews = (data: unknown) => edgesOf(data).some((e) => e.node.lines.some((l) => Array.isArray(l.product.reviews)));

async function apolloClient(caller: string, handler: Defer20220824Handler | GraphQL17Alpha9Handler = new Defer20220824Handler()) {
  return new ApolloClient({
    cache: new InMemoryCache(),
    link: persistedQueryLink().concat(new HttpLink({ uri: url, headers: { authorization: `Bearer ${await tokenOf(caller)}` } })),
    incrementalHandler: handler,
  });
}

async function urqlClient(caller: string) {
  const token = await tokenOf(caller);
  return new Client({ url, exchanges: [cacheExchange, persistedExchange(), fetchExchange], fetchOptions: { headers: { authorization: `Bearer ${token}` } }, requestPolicy: 'network-only' });
}

describe('@defer under next start, with real clients', () => {
  it('Apollo Client: shows the orders while the reviews are held, then the reviews; the same data as OrderPage', async () => {
    const caller = nextCaller();
    const client = await apolloClient(caller);
    const held = holdReviews();
    const results = collector<ObservableQuery.Result<unknown>>();
    const watch = client.watchQuery({ query: OrderPageDeferredReviewsDocument, variables: { after: null }, fetchPolicy: 'network-only' });
    const subscription = watch.subscribe((result) => results.push(result));
    try {
      const first = await results.until((r) => edgesOf(r.data).length > 0);
      // The gate is shut: nothing from the reviews provider can be in what the client shows.
      expect(first.dataState).toBe('streaming');
      expect(hasReviews(first.data)).toBe(false);
      held.open();
      const complete = await results.until((r) => r.dataState === 'complete');
      const plain = await client.query({ query: OrderPageDocument, variables: { after: null }, fetchPolicy: 'network-only' });
      expect(complete.data).toEqual(plain.data);
      expect(hasReviews(complete.data)).toBe(true);
    } finally {
      held.open();
      subscription.unsubscribe();
    }
  });

  it('urql: the first result has hasNext and no reviews while they are held; the merged result is OrderPage', async () => {
    const caller = nextCaller();
    const client = await urqlClient(caller);
    const held = holdReviews();
    const results = collector<OperationResult>();
    const { unsubscribe } = client.query(OrderPageDeferredReviewsDocument, { after: null }).subscribe((result) => results.push(result));
    try {
      const first = await results.until((r) => edgesOf(r.data).length > 0);
      expect(first.hasNext).toBe(true);
      expect(hasReviews(first.data)).toBe(false);
      held.open();
      const complete = await results.until((r) => r.hasNext === false && hasReviews(r.data));
      const plain = await client.query(OrderPageDocument, { after: null }).toPromise();
      expect(complete.error).toBeUndefined();
      expect(complete.data).toEqual(plain.data);
    } finally {
      held.open();
      unsubscribe();
    }
  });

  it('Apollo Client: a failed reviews provider leaves the orders with a coded error in the deferred part', async () => {
    const client = await apolloClient(nextCaller());
    upstreams.reviews.fault({ kind: 'status', status: 503 });
    try {
      const result = await client.query({ query: OrderPageDeferredReviewsDocument, variables: { after: null }, fetchPolicy: 'network-only', errorPolicy: 'all' });
      expect(edgesOf(result.data).length).toBeGreaterThan(0);
      expect(CombinedGraphQLErrors.is(result.error)).toBe(true);
      const errors = (result.error as CombinedGraphQLErrors).errors;
      expect(errors.length).toBeGreaterThan(0);
      for (const error of errors) expect(error.extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', retryable: true });
      expect(hasReviews(result.data)).toBe(false);
    } finally {
      upstreams.reviews.clearFaults();
    }
  });

  it('urql: unsubscribing after the first part closes the held reviews calls and asks nothing more of the providers', async () => {
    const client = await urqlClient(nextCaller());
    const before = { reviews: upstreams.reviews.count(), abandoned: upstreams.reviews.abandoned() };
    const held = holdReviews();
    const results = collector<OperationResult>();
    const { unsubscribe } = client.query(OrderPageDeferredReviewsDocument, { after: null }).subscribe((result) => results.push(result));
    try {
      await results.until((r) => edgesOf(r.data).length > 0);
      await upstreams.reviews.waitForRequests(before.reviews + 1);
      const accounts = upstreams.accounts.count();
      unsubscribe();
      // The gateway gave up the held calls (their sockets closed before any answer): every reviews
      // batch of this request that reached the provider, none answered...
      await upstreams.reviews.waitForAbandoned(before.abandoned + 1);
      await upstreams.reviews.waitForAbandoned(before.abandoned + upstreams.reviews.count() - before.reviews);
      held.open();
      expect(upstreams.reviews.abandoned() - before.abandoned).toBe(upstreams.reviews.count() - before.reviews);
      // ...and no later call was made for the deferred part (the review authors, from accounts).
      expect(upstreams.accounts.count()).toBe(accounts);
    } finally {
      held.open();
    }
  });

  it('Apollo Client asking only for incrementalSpec=v0.2 gets a 406 BAD_REQUEST (we serve deferSpec=20220824)', async () => {
    const client = await apolloClient(nextCaller(), new GraphQL17Alpha9Handler());
    const error = await client.query({ query: OrderPageDeferredReviewsDocument, variables: { after: null }, fetchPolicy: 'network-only' }).then(
      (result) => result.error,
      (e: unknown) => e,
    );
    expect(CombinedGraphQLErrors.is(error)).toBe(true);
    expect((error as CombinedGraphQLErrors).errors[0]?.extensions).toMatchObject({ code: 'BAD_REQUEST' });
  });
});

describe('the mounts do not buffer', () => {
  async function firstPartWhileHeld(endpoint: string): Promise<{ status: number; encoding: string | null }> {
    const held = holdReviews();
    const token = await tokenOf(nextCaller());
    const res = await fetch(endpoint, {
      method: 'POST',
      // gzip is asked for: compression (Next's `compress`) would hold the parts back.
      headers: { 'content-type': 'application/json', accept: 'multipart/mixed;deferSpec=20220824', 'accept-encoding': 'gzip', authorization: `Bearer ${token}` },
      body: JSON.stringify({ operationName: 'OrderPageDeferredReviews', extensions: { persistedQuery: { version: 1, sha256Hash: documentId(OrderPageDeferredReviewsDocument) } } }),
    });
    const parts = multipartParts(res);
    try {
      const first = (await parts.next()).value;
      expect(first?.hasNext).toBe(true);
      expect(hasReviews(first?.data)).toBe(false);
      held.open();
      let last = first;
      for await (const part of parts) last = part;
      expect(last?.hasNext).toBe(false);
      return { status: res.status, encoding: res.headers.get('content-encoding') };
    } finally {
      held.open();
    }
  }

  it('next start (the Pages API route) sends the first part before the held provider answers, uncompressed', async () => {
    expect(await firstPartWhileHeld(url)).toEqual({ status: 200, encoding: null });
  });

  it('the custom server sends the first part before the held provider answers', async () => {
    expect(await firstPartWhileHeld(customUrl)).toEqual({ status: 200, encoding: null });
  });
});
