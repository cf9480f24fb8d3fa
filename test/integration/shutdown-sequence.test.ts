// The shutdown sequence in process (src/server/shutdown.ts), on the node:http mount: readiness 503 from
// the start, still serving during the drain, the listener closed after it without waiting out
// keep-alive, the request in flight answered, the gateway closed; and a request past the deadline cut.
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { SERVER_DEFAULTS } from '../../src/config/env';
import { startNodeServer } from '../../src/server/node-server';
import { closeListener, shutDown } from '../../src/server/shutdown';
import { startWorld } from '../helpers/world';

describe('shutDown', () => {
  it('answers readiness 503 and keeps serving during the drain, then closes the listener once the request in flight is answered', async () => {
    const world = await startWorld();
    // A keep-alive this long would hold server.close() for a minute (beyond the test timeout) if idle sockets were not closed.
    const server = await startNodeServer(world.gateway.yoga, { limits: { ...SERVER_DEFAULTS, keepAliveTimeoutMs: 60_000 } });
    try {
      world.upstreams.catalog.fault({ kind: 'latency', ms: 800 });
      const slow = fetch(`${server.url}/api/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ products(first: 2) { edges { node { id } } } }' }),
      });
      await world.upstreams.catalog.waitForRequests(1);

      const done = shutDown({ gateway: world.gateway, server: () => server.server, timing: { drainMs: 500, timeoutMs: 5000 } }, 'SIGTERM');
      const ready = await fetch(`${server.url}/api/health/ready`);
      expect([ready.status, await ready.json()]).toEqual([503, { status: 'not_ready', checks: { config: 'ok', shutdown: 'draining' } }]);
      const live = await fetch(`${server.url}/api/health/live`);
      expect(live.status).toBe(200);
      const ping = await fetch(`${server.url}/api/graphql?query=${encodeURIComponent('{ ping }')}`, { headers: { accept: 'application/json' } });
      expect([ping.status, await ping.json()]).toEqual([200, { data: { ping: true } }]);

      const answer = await slow;
      expect(answer.status).toBe(200);
      expect(((await answer.json()) as { data: { products: { edges: unknown[] } } }).data.products.edges).toHaveLength(2);
      // Nothing cut: its kept-alive connection was closed as soon as it was idle.
      expect(await done).toEqual({ cutConnections: 0 });
      expect(server.server.listening).toBe(false);
      await expect(fetch(`${server.url}/api/health/live`)).rejects.toThrow();
    } finally {
      await world.upstreams.close();
    }
  });
});

describe('closeListener', () => {
  it('cuts a request still unanswered at the deadline and counts it', async () => {
    let arrived: () => void = () => undefined;
    const arrival = new Promise<void>((resolve) => (arrived = resolve));
    // Never answers.
    const server = createServer(() => arrived());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const outcome = new Promise<string>((resolve) => {
      request({ port, host: '127.0.0.1', path: '/' }, () => resolve('answered'))
        .on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message))
        .end();
    });
    await arrival;
    expect(await closeListener(server, 100)).toBe(1);
    expect(await outcome).toBe('ECONNRESET');
    expect(server.listening).toBe(false);
  });
});
