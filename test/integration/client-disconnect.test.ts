// A client that goes away cancels its upstream calls: the attempt toward a hanging provider ends as
// `cancelled` (long before its timeout) and the provider's socket is released.
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { request } from 'undici';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { HTTP_CHANNELS, type HttpAttemptEvent } from '../../src/observability/channels';
import { startNodeServer, type NodeServerHandle } from '../../src/server/node-server';
import { startWorld, type World } from '../helpers/world';

let world: World;
let server: NodeServerHandle;

beforeAll(async () => {
  // A 20 s attempt timeout: whatever ends the attempt below, it is not the timeout.
  world = await startWorld({ http: { catalog: { timeouts: { attemptMs: 20_000 } } } });
  server = await startNodeServer(world.gateway.yoga);
});
afterAll(async () => {
  await server.close();
  await world.close();
});

it('cancels the upstream call when the client disconnects (issue 3)', async () => {
  world.upstreams.catalog.fault({ kind: 'hang' });
  let resolveEnded: (event: HttpAttemptEvent) => void = () => {};
  const ended = new Promise<HttpAttemptEvent>((resolve) => (resolveEnded = resolve));
  const onAttempt = (message: unknown) => {
    const event = message as HttpAttemptEvent;
    if (event.provider === 'catalog') resolveEnded(event);
  };
  subscribe(HTTP_CHANNELS.attempt, onAttempt);
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
    const event = await ended;
    expect(event).toMatchObject({ provider: 'catalog', requestId: 'gone-client-1', outcome: 'cancelled', status: undefined });
    expect(event.durationMs).toBeLessThan(20_000);
  } finally {
    unsubscribe(HTTP_CHANNELS.attempt, onAttempt);
  }
});
