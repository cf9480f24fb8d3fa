// The provider client against real loopback servers: wire format, status classification,
// attempt timeout, cancellation and the static auth kinds.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createProviderClient, type ResilientHttpClient } from '../../src/http/client';
import type { ProviderClientOptions } from '../../src/http/options';
import type { CallContext } from '../../src/http/types';
import { json, startLoopback, type Loopback, rejection } from '../helpers/http-loopback';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

async function server(handler: Parameters<typeof startLoopback>[0]): Promise<Loopback> {
  const s = await startLoopback(handler);
  cleanup.push(() => s.close());
  return s;
}

function client(options: Omit<ProviderClientOptions, 'name'> & { name?: string }): ResilientHttpClient {
  const c = createProviderClient({ name: 'catalog', ...options });
  cleanup.push(() => c.close());
  return c;
}

function ctx(extra: Partial<CallContext> = {}): CallContext {
  return { requestId: 'req-1', deadlineAt: Date.now() + 5000, ...extra };
}

describe('wire format', () => {
  it('sends method, path with base path and query, x-request-id and propagated headers; decodes JSON', async () => {
    const s = await server((_req, res) => json(res, 200, { id: 'p-1' }, { 'ratelimit-remaining': '9' }));
    const c = client({ baseUrl: `${s.url}/v1/` });
    const res = await c.request(
      { method: 'GET', path: '/products/p-1', route: '/products/:id', query: { expand: 'price', skip: undefined, n: 2 } },
      ctx({ headers: { traceparent: '00-abc-def-01' } }),
    );
    expect(res).toEqual({ status: 200, headers: expect.objectContaining({ 'ratelimit-remaining': '9' }), body: { id: 'p-1' } });
    expect(s.arrivals).toHaveLength(1);
    const [hit] = s.arrivals;
    expect(hit?.method).toBe('GET');
    expect(hit?.url).toBe('/v1/products/p-1?expand=price&n=2');
    expect(hit?.headers['x-request-id']).toBe('req-1');
    expect(hit?.headers.traceparent).toBe('00-abc-def-01');
    expect(hit?.headers.accept).toBe('application/json');
  });

  it('encodes a JSON body and sends Idempotency-Key', async () => {
    const s = await server((_req, res) => json(res, 201, { ok: true }));
    const c = client({ baseUrl: s.url });
    const res = await c.request(
      { method: 'POST', path: '/orders', route: '/orders', body: { sku: 'a', qty: 2 }, idempotencyKey: 'key-1' },
      ctx(),
    );
    expect(res.status).toBe(201);
    expect(s.arrivals[0]?.body).toBe('{"sku":"a","qty":2}');
    expect(s.arrivals[0]?.headers['content-type']).toBe('application/json');
    expect(s.arrivals[0]?.headers['idempotency-key']).toBe('key-1');
  });

  it('decodes UTF-8 split across chunks and drops a byte-order mark', async () => {
    const bytes = Buffer.from('\uFEFF{"title":"Crème brûlée"}', 'utf8');
    const split = bytes.indexOf(Buffer.from('è', 'utf8')) + 1; // inside the two bytes of "è"
    const s = await server((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write(bytes.subarray(0, split));
      setImmediate(() => res.end(bytes.subarray(split)));
    });
    const res = await client({ baseUrl: s.url }).request({ method: 'GET', path: '/p', route: '/p' }, ctx());
    expect(res.body).toEqual({ title: 'Crème brûlée' });
  });

  it('resolves an empty 204 with an undefined body', async () => {
    const s = await server((_req, res) => {
      res.writeHead(204);
      res.end();
    });
    const res = await client({ baseUrl: s.url }).request({ method: 'DELETE', path: '/x/1', route: '/x/:id' }, ctx());
    expect(res).toEqual({ status: 204, headers: expect.any(Object), body: undefined });
  });
});

describe('status classification', () => {
  it.each([400, 404, 409, 422])('resolves %i so the provider maps it', async (status) => {
    const s = await server((_req, res) => json(res, status, { error: 'x' }));
    const res = await client({ baseUrl: s.url }).request({ method: 'GET', path: '/a', route: '/a' }, ctx());
    expect(res.status).toBe(status);
    expect(res.body).toEqual({ error: 'x' });
  });

  it.each([
    [500, 'UPSTREAM_UNAVAILABLE'],
    [501, 'UPSTREAM_UNAVAILABLE'],
    [401, 'UPSTREAM_AUTH_FAILED'],
    [403, 'UPSTREAM_AUTH_FAILED'],
    [405, 'UPSTREAM_BAD_RESPONSE'],
  ] as const)('throws for %i as %s without retrying', async (status, code) => {
    const s = await server((_req, res) => json(res, status, {}));
    const error = await rejection(client({ baseUrl: s.url }).request({ method: 'GET', path: '/a', route: '/a' }, ctx()));
    expect(error.code).toBe(code);
    expect(error.extensions).toEqual({ provider: 'catalog' });
    expect(error.meta).toMatchObject({ status, route: '/a', method: 'GET' });
    expect(error.message).not.toContain('127.0.0.1');
    expect(s.arrivals).toHaveLength(1);
  });

  it('maps a 2xx with invalid JSON to UPSTREAM_BAD_RESPONSE', async () => {
    const s = await server((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"broken":');
    });
    const error = await rejection(client({ baseUrl: s.url }).request({ method: 'GET', path: '/a', route: '/a' }, ctx()));
    expect(error.code).toBe('UPSTREAM_BAD_RESPONSE');
    expect(s.arrivals).toHaveLength(1);
  });

  it('fails an answer past maxResponseBytes with UPSTREAM_BAD_RESPONSE, once, and drops its socket', async () => {
    // Chunked (no Content-Length): the cap is found while reading. 64 KiB chunks, 1 MiB in all.
    const chunk = `"${'x'.repeat(64 * 1024 - 3)}",`;
    const s = await server((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('[');
      for (let i = 0; i < 16; i += 1) res.write(chunk);
      res.end('0]');
    });
    const c = client({ baseUrl: s.url, maxResponseBytes: 256 * 1024 });
    const error = await rejection(c.request({ method: 'GET', path: '/big', route: '/big' }, ctx()));
    expect(error.code).toBe('UPSTREAM_BAD_RESPONSE');
    expect(error.meta).toMatchObject({ reason: 'bad_response', status: 200 });
    expect(s.arrivals).toHaveLength(1);
    await s.whenNoSockets();
    expect(s.openSockets()).toBe(0);
    // Under the cap, the same client reads it whole.
    const big = client({ baseUrl: s.url, maxResponseBytes: 2 * 1024 * 1024 });
    const res = await big.request({ method: 'GET', path: '/big', route: '/big' }, ctx());
    expect(Array.isArray(res.body) ? res.body.length : -1).toBe(17);
  });

  it('refuses an answer whose Content-Length announces more than maxResponseBytes before reading it', async () => {
    const s = await server((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(10 * 1024 * 1024) });
      res.write('[');
      // The rest never comes: only the announced size can fail this attempt before its timeout.
    });
    const c = client({ baseUrl: s.url, maxResponseBytes: 1024 * 1024, timeouts: { attemptMs: 30_000 } });
    const error = await rejection(c.request({ method: 'GET', path: '/huge', route: '/huge' }, ctx({ deadlineAt: Date.now() + 30_000 })));
    expect(error.code).toBe('UPSTREAM_BAD_RESPONSE');
    expect(s.arrivals).toHaveLength(1);
    await s.whenNoSockets();
    expect(s.openSockets()).toBe(0);
  });

  it('maps a 429 on an unsafe call to UPSTREAM_RATE_LIMITED with retryAfterSeconds', async () => {
    const s = await server((_req, res) => json(res, 429, {}, { 'retry-after': '7' }));
    const error = await rejection(
      client({ baseUrl: s.url }).request({ method: 'POST', path: '/orders', route: '/orders', body: {} }, ctx()),
    );
    expect(error.code).toBe('UPSTREAM_RATE_LIMITED');
    expect(error.retryAfterSeconds).toBe(7);
    expect(s.arrivals).toHaveLength(1);
  });

  it('maps a refused connection to UPSTREAM_UNAVAILABLE', async () => {
    const s = await startLoopback((_req, res) => json(res, 200, {}));
    const url = s.url;
    await s.close();
    const error = await rejection(
      client({ baseUrl: url }).request({ method: 'POST', path: '/a', route: '/a', body: {} }, ctx()),
    );
    expect(error.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(error.meta).toMatchObject({ reason: 'network' });
  });
});

describe('timeouts and cancellation', () => {
  // The attempt's timer is faked: the test moves time past it once the provider holds the request,
  // so what is checked is which timeout fired, not how fast the machine is.
  async function hangingProvider(): Promise<{ s: Loopback; held: Promise<void> }> {
    let arrived: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      arrived = resolve;
    });
    const s = await server(() => {
      arrived();
      /* never answers */
    });
    return { s, held };
  }

  it('fails a hanging provider with UPSTREAM_TIMEOUT when its attempt timeout passes, and closes the socket', async () => {
    const { s, held } = await hangingProvider();
    const c = client({ baseUrl: s.url, timeouts: { attemptMs: 150 } });
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      let settled = false;
      const pending = rejection(c.request({ method: 'GET', path: '/slow', route: '/slow' }, ctx())).finally(() => {
        settled = true;
      });
      await held;
      vi.advanceTimersByTime(149);
      await new Promise((resolve) => setImmediate(resolve));
      expect(settled).toBe(false);
      vi.advanceTimersByTime(1);
      const error = await pending;
      expect(error.code).toBe('UPSTREAM_TIMEOUT');
      expect(error.meta).toMatchObject({ reason: 'timeout' });
    } finally {
      vi.useRealTimers();
    }
    expect(s.arrivals).toHaveLength(1);
    await s.whenNoSockets();
    expect(s.openSockets()).toBe(0);
  });

  it('caps the attempt timeout by the deadline', async () => {
    const { s, held } = await hangingProvider();
    const c = client({ baseUrl: s.url, timeouts: { attemptMs: 3000 } });
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const pending = rejection(c.request({ method: 'GET', path: '/slow', route: '/slow' }, ctx({ deadlineAt: Date.now() + 120 })));
      await held;
      // Past the deadline, far before the attempt's own 3 s: an uncapped attempt would never settle here.
      vi.advanceTimersByTime(130);
      const error = await pending;
      expect(error.code).toBe('UPSTREAM_TIMEOUT');
    } finally {
      vi.useRealTimers();
    }
    expect(s.arrivals).toHaveLength(1);
  });

  it('fails at once without network when the deadline has passed', async () => {
    const s = await server((_req, res) => json(res, 200, {}));
    const error = await rejection(
      client({ baseUrl: s.url }).request({ method: 'GET', path: '/a', route: '/a' }, ctx({ deadlineAt: Date.now() - 1 })),
    );
    expect(error.code).toBe('UPSTREAM_TIMEOUT');
    expect(s.arrivals).toHaveLength(0);
  });

  it('times out an attempt still queued for a pool connection at its own deadline, without sending it', async () => {
    // Never answers: the first call holds the pool's only connection.
    const { promise: arrived, resolve: arrive } = Promise.withResolvers<void>();
    const s = await server(() => arrive());
    const c = client({ baseUrl: s.url, connections: 1, timeouts: { attemptMs: 30_000 } });
    const holder = new AbortController();
    let firstSettled = false;
    const first = c.request({ method: 'GET', path: '/held', route: '/held' }, ctx({ signal: holder.signal, deadlineAt: Date.now() + 30_000 }));
    void first.then(
      () => (firstSettled = true),
      () => (firstSettled = true),
    );
    await arrived;
    const error = await rejection(c.request({ method: 'GET', path: '/queued', route: '/queued' }, ctx({ deadlineAt: Date.now() + 100 })));
    expect(error.code).toBe('UPSTREAM_TIMEOUT');
    expect(error.meta).toMatchObject({ reason: 'timeout' });
    expect(firstSettled).toBe(false);
    holder.abort();
    expect((await rejection(first)).meta).toMatchObject({ reason: 'cancelled' });
    expect(s.arrivals.map((a) => a.url)).toEqual(['/held']);
  });

  it('cancels the in-flight call when the caller aborts, and frees the socket', async () => {
    const controller = new AbortController();
    const s = await server(() => controller.abort());
    const c = client({ baseUrl: s.url });
    const error = await rejection(
      c.request({ method: 'GET', path: '/a', route: '/a' }, ctx({ signal: controller.signal })),
    );
    expect(error.code).toBe('UPSTREAM_TIMEOUT');
    expect(error.meta).toMatchObject({ reason: 'cancelled' });
    expect(s.arrivals).toHaveLength(1);
    await s.whenNoSockets();
    expect(s.openSockets()).toBe(0);
  });
});

describe('static auth', () => {
  it('sends an API key in the configured header', async () => {
    const s = await server((_req, res) => json(res, 200, {}));
    await client({ baseUrl: s.url, auth: { kind: 'apiKey', header: 'X-Api-Key', value: 'k-123' } }).request(
      { method: 'GET', path: '/a', route: '/a' },
      ctx(),
    );
    expect(s.arrivals[0]?.headers['x-api-key']).toBe('k-123');
  });

  it('sends a bearer token and maps its 401 to UPSTREAM_AUTH_FAILED after one attempt', async () => {
    const s = await server((_req, res) => json(res, 401, {}));
    const error = await rejection(
      client({ baseUrl: s.url, auth: { kind: 'bearer', token: 'tok-secret' } }).request(
        { method: 'GET', path: '/a', route: '/a' },
        ctx(),
      ),
    );
    expect(error.code).toBe('UPSTREAM_AUTH_FAILED');
    expect(s.arrivals).toHaveLength(1);
    expect(s.arrivals[0]?.headers.authorization).toBe('Bearer tok-secret');
    expect(JSON.stringify({ m: error.message, meta: error.meta })).not.toContain('tok-secret');
  });
});
