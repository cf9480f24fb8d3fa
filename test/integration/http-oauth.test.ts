// OAuth2 client credentials against a loopback token endpoint and API: one token for a cold
// stampede, one refresh at expiry (manual clock), one refresh + one re-send on a 401.
import { afterEach, describe, expect, it } from 'vitest';
import { createProviderClient, type ResilientHttpClient } from '../../src/http/client';
import type { CallContext } from '../../src/http/types';
import { json, startLoopback, type Handler, type Loopback, rejection } from '../helpers/http-loopback';
import { createManualClock, type ManualClock } from '../helpers/manual-clock';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

const SECRET = 's3cr3t-value';

interface World {
  readonly clock: ManualClock;
  readonly auth: Loopback;
  readonly api: Loopback;
  readonly client: ResilientHttpClient;
  ctx(): CallContext;
}

async function world(options: { api?: Handler; token?: Handler; expiresIn?: number; skewMs?: number } = {}): Promise<World> {
  const clock = createManualClock();
  let issued = 0;
  const auth = await startLoopback(
    options.token ??
      ((_req, res) => {
        issued += 1;
        json(res, 200, { access_token: `t${issued}`, token_type: 'Bearer', expires_in: options.expiresIn ?? 3600 });
      }),
  );
  const api = await startLoopback(options.api ?? ((req, res) => json(res, 200, { auth: req.headers.authorization })));
  const client = createProviderClient({
    name: 'orders',
    baseUrl: api.url,
    clock,
    auth: {
      kind: 'oauth2',
      tokenUrl: `${auth.url}/oauth/token`,
      clientId: 'gateway',
      clientSecret: SECRET,
      scope: 'read:orders write:orders',
      ...(options.skewMs === undefined ? {} : { skewMs: options.skewMs }),
    },
  });
  cleanup.push(() => auth.close(), () => api.close(), () => client.close());
  return { clock, auth, api, client, ctx: () => ({ requestId: 'r', deadlineAt: clock.now() + 5000 }) };
}

const get = { method: 'GET', path: '/orders/o-1', route: '/orders/:id' } as const;

describe('oauth2 client credentials', () => {
  it('fetches exactly one token for 100 concurrent cold-start calls, with Basic client auth and a form body', async () => {
    const w = await world();
    const results = await Promise.all(Array.from({ length: 100 }, () => w.client.request(get, w.ctx())));
    expect(w.auth.arrivals).toHaveLength(1);
    expect(w.api.arrivals).toHaveLength(100);
    expect(new Set(results.map((r) => JSON.stringify(r.body)))).toEqual(new Set(['{"auth":"Bearer t1"}']));
    const tokenCall = w.auth.arrivals[0];
    expect(tokenCall?.method).toBe('POST');
    expect(tokenCall?.url).toBe('/oauth/token');
    expect(tokenCall?.headers.authorization).toBe(`Basic ${Buffer.from(`gateway:${SECRET}`).toString('base64')}`);
    expect(tokenCall?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(Object.fromEntries(new URLSearchParams(tokenCall?.body))).toEqual({
      grant_type: 'client_credentials',
      scope: 'read:orders write:orders',
    });
  });

  it('reuses the token until skew before expiry, then refreshes exactly once for concurrent callers', async () => {
    const w = await world({ expiresIn: 120, skewMs: 30_000 });
    await w.client.request(get, w.ctx());
    w.clock.advance(89_000);
    await w.client.request(get, w.ctx());
    expect(w.auth.arrivals).toHaveLength(1);
    w.clock.advance(1_000); // 90 s = 120 s - 30 s skew
    const results = await Promise.all(Array.from({ length: 20 }, () => w.client.request(get, w.ctx())));
    expect(w.auth.arrivals).toHaveLength(2);
    expect(results.every((r) => JSON.stringify(r.body) === '{"auth":"Bearer t2"}')).toBe(true);
  });

  it('on a 401 refreshes once and re-sends once, even for a POST', async () => {
    const w = await world({
      api: (req, res) => (req.headers.authorization === 'Bearer t1' ? json(res, 401, {}) : json(res, 201, { ok: true })),
    });
    const res = await w.client.request({ method: 'POST', path: '/orders', route: '/orders', body: { sku: 'a' } }, w.ctx());
    expect(res.status).toBe(201);
    expect(w.auth.arrivals).toHaveLength(2);
    expect(w.api.arrivals.map((a) => a.headers.authorization)).toEqual(['Bearer t1', 'Bearer t2']);
  });

  it('refreshes once when many in-flight calls get a 401 for the same token', async () => {
    const w = await world({
      api: (req, res) => (req.headers.authorization === 'Bearer t1' ? json(res, 401, {}) : json(res, 200, {})),
    });
    await w.client.request(get, w.ctx());
    const results = await Promise.all(Array.from({ length: 30 }, () => w.client.request(get, w.ctx())));
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(w.auth.arrivals).toHaveLength(2);
  });

  it('gives up with UPSTREAM_AUTH_FAILED when the fresh token is refused too', async () => {
    const w = await world({ api: (_req, res) => json(res, 401, {}) });
    const error = await rejection(w.client.request(get, w.ctx()));
    expect(error.code).toBe('UPSTREAM_AUTH_FAILED');
    expect(w.auth.arrivals).toHaveLength(2);
    expect(w.api.arrivals).toHaveLength(2);
  });

  it.each([
    ['refuses the client', (_req: unknown, res: Parameters<Handler>[1]) => json(res, 401, { error: 'invalid_client' })],
    ['fails', (_req: unknown, res: Parameters<Handler>[1]) => json(res, 500, {})],
    ['answers without a token', (_req: unknown, res: Parameters<Handler>[1]) => json(res, 200, { token_type: 'Bearer' })],
  ])('maps a token endpoint that %s to UPSTREAM_AUTH_FAILED without calling the API or leaking the secret', async (_name, token) => {
    const w = await world({ token });
    const error = await rejection(w.client.request(get, w.ctx()));
    expect(error.code).toBe('UPSTREAM_AUTH_FAILED');
    expect(error.meta).toMatchObject({ stage: 'token' });
    expect(w.api.arrivals).toHaveLength(0);
    const visible = JSON.stringify({ message: error.message, meta: error.meta, extensions: error.extensions });
    expect(visible).not.toContain(SECRET);
    expect(visible).not.toContain(Buffer.from(`gateway:${SECRET}`).toString('base64'));
  });
});
