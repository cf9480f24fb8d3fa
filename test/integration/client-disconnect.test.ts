// A client that goes away cancels its upstream calls: the attempt toward a hanging provider ends as
// `cancelled` (long before its timeout) and the provider's socket is released; and the page it asked
// for fails once, not once per field nobody will read.
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { request } from 'undici';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { mintDevToken } from '../../src/dev/dev-jwt';
import { HTTP_CHANNELS, type HttpAttemptEvent } from '../../src/observability/channels';
import { startNodeServer, type NodeServerHandle } from '../../src/server/node-server';
import { startWorld, type World } from '../helpers/world';

let world: World;
let server: NodeServerHandle;

beforeAll(async () => {
  // A 20 s attempt timeout: whatever ends the attempt below, it is not the timeout.
  world = await startWorld({ http: { catalog: { timeouts: { attemptMs: 20_000 } }, reviews: { timeouts: { attemptMs: 20_000 } } } });
  server = await startNodeServer(world.gateway.yoga);
});
afterAll(async () => {
  await server.close();
  await world.close();
});

/** The first attempt event of `provider` from now on; `stop()` unsubscribes. */
function firstAttemptOf(provider: string): { readonly ended: Promise<HttpAttemptEvent>; stop(): void } {
  let resolveEnded: (event: HttpAttemptEvent) => void = () => {};
  const ended = new Promise<HttpAttemptEvent>((resolve) => (resolveEnded = resolve));
  const onAttempt = (message: unknown) => {
    const event = message as HttpAttemptEvent;
    if (event.provider === provider) resolveEnded(event);
  };
  subscribe(HTTP_CHANNELS.attempt, onAttempt);
  return { ended, stop: () => unsubscribe(HTTP_CHANNELS.attempt, onAttempt) };
}

it('cancels the upstream call when the client disconnects (issue 3)', async () => {
  world.upstreams.catalog.fault({ kind: 'hang' });
  const catalog = firstAttemptOf('catalog');
  try {
    const client = new AbortController();
    const pending = request(`${server.url}/api/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'gone-client-1' },
      body: JSON.stringify({ query: '{ product(id: "prod-1") { id } }' }),
      signal: client.signal,
    }).catch((error: unknown) => error);
    await world.upstreams.catalog.waitForRequests(1);
    client.abort();
    await pending;
    const event = await catalog.ended;
    expect(event).toMatchObject({ provider: 'catalog', requestId: 'gone-client-1', outcome: 'cancelled', status: undefined });
    expect(event.durationMs).toBeLessThan(20_000);
  } finally {
    catalog.stop();
  }
});

it('ends an order page whose client went away while its reviews loaded with one error, not one per field below', async () => {
  for (const simulator of world.upstreams.servers) simulator.clearFaults();
  const gate = { open: (): void => undefined };
  const until = new Promise<void>((resolve) => (gate.open = resolve));
  const holding = world.upstreams.reviews.fault({ kind: 'hold', until });
  const registry = world.gateway.telemetry.metrics.registry;
  registry.resetMetrics();
  const reviews = firstAttemptOf('reviews');
  try {
    const client = new AbortController();
    const query = '{ orders(first: 20) { edges { node { id lines { product { title reviews { rating author { name } } } } } } } }';
    const pending = request(`${server.url}/api/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await mintDevToken('user-1')}` },
      body: JSON.stringify({ query }),
      signal: client.signal,
    }).catch((error: unknown) => error);
    await world.upstreams.reviews.waitForRequests(1);
    client.abort();
    await pending;
    expect(await reviews.ended).toMatchObject({ provider: 'reviews', outcome: 'cancelled' });
    // The request's metrics are written once its (unsent) result is final: wait for that, not for time.
    const metric = registry.getSingleMetric('bff_graphql_request_duration_seconds');
    await vi.waitFor(async () => expect((await metric?.get())?.values.some((v) => v.value > 0)).toBe(true));
    const errors = (await registry.getSingleMetric('bff_graphql_errors_total')?.get())?.values ?? [];
    // Each product's reviews would have failed (48 errors on this page); the `orders` field fails once.
    expect(errors.map((v) => [v.labels['code'], v.value])).toEqual([['UPSTREAM_TIMEOUT', 1]]);
  } finally {
    reviews.stop();
    holding.clear();
    gate.open();
  }
});
