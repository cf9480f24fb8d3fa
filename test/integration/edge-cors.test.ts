// CORS at the edge (src/plugins/edge/cors.ts): only CORS_ORIGINS get Access-Control-* headers (credentials
// included), any other origin gets none at all, every response varies by Origin, and production
// without CORS_ORIGINS sends no CORS header to anybody.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorld, type World } from '../helpers/world';

const LISTED = 'https://shop.example';
const UNLISTED = 'https://evil.example';

const ALLOWED_HEADERS =
  'content-type, authorization, apollo-require-preflight, x-apollo-operation-name, graphql-require-preflight, graphql-client-name, graphql-client-version, apollographql-client-name, apollographql-client-version, x-request-id, traceparent';
const EXPOSED_HEADERS = 'x-request-id, ratelimit-limit, ratelimit-remaining, ratelimit-reset, ratelimit-policy, retry-after, etag';

async function preflight(world: World, origin: string, requestHeaders = 'content-type, authorization'): Promise<Response> {
  return world.gateway.yoga.fetch('http://gateway/api/graphql', {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': requestHeaders },
  });
}

async function get(world: World, origin: string | undefined): Promise<Response> {
  return world.gateway.yoga.fetch(`http://gateway/api/graphql?${new URLSearchParams({ query: '{ ping }' })}`, {
    headers: origin === undefined ? {} : { origin },
  });
}

/** Every Access-Control-* header of a response, by name. */
function corsHeaders(res: Response): Record<string, string> {
  const found: Record<string, string> = {};
  res.headers.forEach((value, name) => {
    if (name.toLowerCase().startsWith('access-control-')) found[name.toLowerCase()] = value;
  });
  return found;
}

describe('CORS_ORIGINS set (one origin)', () => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld({ env: { CORS_ORIGINS: LISTED } });
  });
  afterAll(() => world.close());

  it('answers a preflight from a listed origin with exactly the allowed methods, headers, credentials and max-age', async () => {
    const res = await preflight(world, LISTED);
    expect(res.status).toBe(204);
    expect(corsHeaders(res)).toEqual({
      'access-control-allow-origin': LISTED,
      'access-control-allow-credentials': 'true',
      'access-control-allow-methods': 'GET, POST',
      'access-control-allow-headers': ALLOWED_HEADERS,
      'access-control-expose-headers': EXPOSED_HEADERS,
      'access-control-max-age': '600',
    });
    expect(res.headers.get('vary')).toBe('Origin');
  });

  it('lists the allowed headers whatever the browser asks for (a header not listed is refused by the browser)', async () => {
    const res = await preflight(world, LISTED, 'x-made-up');
    expect(res.headers.get('access-control-allow-headers')).toBe(ALLOWED_HEADERS);
  });

  it('gives a preflight from an unlisted origin no Access-Control-* header at all', async () => {
    for (const origin of [UNLISTED, `${LISTED}:8443`, 'http://shop.example', 'null']) {
      const res = await preflight(world, origin);
      expect([origin, res.status, corsHeaders(res)]).toEqual([origin, 204, {}]);
      expect(res.headers.get('vary')).toBe('Origin');
    }
  });

  it('answers a GET from an unlisted origin without Access-Control-Allow-Origin (the browser keeps the answer from the page)', async () => {
    const res = await get(world, UNLISTED);
    expect(res.status).toBe(200);
    expect(corsHeaders(res)).toEqual({});
    expect(res.headers.get('vary')).toBe('Origin');
    await res.text();
  });

  it('answers a GET from the listed origin with its origin, credentials and the exposed headers; Vary: Origin everywhere', async () => {
    const res = await get(world, LISTED);
    expect(res.status).toBe(200);
    expect(corsHeaders(res)).toMatchObject({ 'access-control-allow-origin': LISTED, 'access-control-allow-credentials': 'true', 'access-control-expose-headers': EXPOSED_HEADERS });
    expect(res.headers.get('vary')).toBe('Origin');
    await res.text();
    // Without an Origin too: a shared cache must not hand this answer to a page of some origin.
    const none = await get(world, undefined);
    expect(none.headers.get('vary')).toBe('Origin');
    expect(corsHeaders(none)).toEqual({});
    await none.text();
  });
});

describe('development default', () => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld();
  });
  afterAll(() => world.close());

  it('allows the local Next.js dev server on localhost and 127.0.0.1, port 3000 only', async () => {
    for (const origin of ['http://localhost:3000', 'http://127.0.0.1:3000']) {
      const res = await preflight(world, origin);
      expect([origin, res.headers.get('access-control-allow-origin'), res.headers.get('access-control-allow-credentials')]).toEqual([origin, origin, 'true']);
    }
    for (const origin of ['http://localhost:5173', 'https://localhost:3000', UNLISTED]) {
      expect([origin, corsHeaders(await preflight(world, origin))]).toEqual([origin, {}]);
    }
  });
});

describe('production without CORS_ORIGINS', () => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld({ env: { NODE_ENV: 'production', PERSISTED_OPERATIONS: 'off' } });
  });
  afterAll(() => world.close());

  it('sends no CORS header to anybody: a preflight is a 405, a GET carries no Access-Control-* and no Vary: Origin', async () => {
    const pre = await preflight(world, LISTED);
    expect(pre.status).toBe(405);
    expect(corsHeaders(pre)).toEqual({});
    await pre.text();
    const res = await get(world, LISTED);
    expect(res.status).toBe(200);
    expect(corsHeaders(res)).toEqual({});
    expect(res.headers.get('vary')).toBeNull();
    await res.text();
  });
});
