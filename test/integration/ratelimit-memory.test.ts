// Inbound rate limits with the in-memory store, through the front door. Time is a frozen fake
// Date (rate-limiter-flexible reads Date.now), so window arithmetic and header values are exact.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { mintDevToken } from '../../src/dev/dev-jwt';
import { startNodeServer } from '../../src/server/node-server';
import { startWorld, type World } from '../helpers/world';

const LIMIT = 100;
const WINDOW_SECONDS = 60;
const COST_BUDGET = 100;

let world: World;
const bearer = async (user: string) => `Bearer ${await mintDevToken(user)}`;

beforeAll(async () => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(new Date());
  world = await startWorld({
    env: {
      RATE_LIMIT_WINDOW_SECONDS: String(WINDOW_SECONDS),
      RATE_LIMIT_REQUESTS_PER_WINDOW: String(LIMIT),
      RATE_LIMIT_COST_PER_WINDOW: String(COST_BUDGET),
      TRUSTED_PROXY_HOPS: '1',
    },
    // Tests choose the estimated cost of each request; without the header an operation costs 0.
    costOf: (request) => Number(request.headers.get('x-test-cost') ?? 0),
  });
});
afterAll(async () => {
  await world.close();
  vi.useRealTimers();
});

describe('request budget', () => {
  it('lets exactly 100 of a burst of 300 through, then answers 429 with exact Retry-After and RateLimit-* headers', async () => {
    const auth = await bearer('burst-user');
    const statuses: number[] = [];
    for (let i = 1; i <= 300; i++) {
      const res = await world.gql('{ ping }', { as: auth });
      statuses.push(res.status);
      expect(res.headers.get('ratelimit-limit')).toBe(String(LIMIT));
      expect(res.headers.get('ratelimit-reset')).toBe(String(WINDOW_SECONDS));
      if (i <= LIMIT) {
        expect(res.status).toBe(200);
        expect(res.headers.get('ratelimit-remaining')).toBe(String(LIMIT - i));
        expect(res.headers.get('retry-after')).toBeNull();
      } else {
        expect(res.status).toBe(429);
        expect(res.headers.get('ratelimit-remaining')).toBe('0');
        expect(res.headers.get('retry-after')).toBe(String(WINDOW_SECONDS));
        expect(res.headers.get('content-type')).toBe('application/graphql-response+json; charset=utf-8');
        expect(res.body.data).toBeUndefined();
        expect(res.body.errors).toHaveLength(1);
        expect(res.body.errors?.[0]?.extensions).toEqual({
          code: 'RATE_LIMITED',
          retryable: true,
          retryAfterSeconds: WINDOW_SECONDS,
          budget: 'requests',
          requestId: res.headers.get('x-request-id'),
        });
      }
    }
    expect(statuses.filter((s) => s === 200)).toHaveLength(LIMIT);
    expect(statuses.filter((s) => s === 429)).toHaveLength(300 - LIMIT);
  });

  it('counts each caller separately: another subject still has its whole budget', async () => {
    const auth = await bearer('burst-user-2');
    const res = await world.gql('{ ping }', { as: auth });
    expect(res.status).toBe(200);
    expect(res.headers.get('ratelimit-remaining')).toBe(String(LIMIT - 1));
  });

  it('reports the time left in the window, and opens a fresh window when it has passed', async () => {
    const auth = await bearer('window-user');
    for (let i = 0; i < LIMIT; i++) expect((await world.gql('{ ping }', { as: auth })).status).toBe(200);
    vi.setSystemTime(Date.now() + 45_500);
    const refused = await world.gql('{ ping }', { as: auth });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('15');
    expect(refused.body.errors?.[0]?.extensions['retryAfterSeconds']).toBe(15);
    vi.setSystemTime(Date.now() + 15_000);
    const again = await world.gql('{ ping }', { as: auth });
    expect(again.status).toBe(200);
    expect(again.headers.get('ratelimit-remaining')).toBe(String(LIMIT - 1));
  });

  it('counts anonymous callers by the address the trusted proxy saw, whatever they prepend to x-forwarded-for', async () => {
    for (let i = 0; i < LIMIT; i++) {
      const res = await world.gql('{ ping }', { headers: { 'x-forwarded-for': `6.6.6.${i % 250}, 198.51.100.7` } });
      expect(res.status).toBe(200);
    }
    const spoofed = await world.gql('{ ping }', { headers: { 'x-forwarded-for': '203.0.113.99, 198.51.100.7' } });
    expect(spoofed.status).toBe(429);
    const other = await world.gql('{ ping }', { headers: { 'x-forwarded-for': '198.51.100.8' } });
    expect(other.status).toBe(200);
    expect(other.headers.get('ratelimit-remaining')).toBe(String(LIMIT - 1));
  });

  it('counts a request with a bad token against its address, and still refuses the token with 401', async () => {
    const res = await world.gql('{ ping }', { headers: { authorization: 'Bearer not.a.jwt', 'x-forwarded-for': '198.51.100.20' } });
    expect(res.status).toBe(401);
    expect(res.body.errors?.[0]?.extensions['code']).toBe('UNAUTHENTICATED');
    expect(res.headers.get('ratelimit-remaining')).toBe(String(LIMIT - 1));
    const next = await world.gql('{ ping }', { headers: { 'x-forwarded-for': '198.51.100.20' } });
    expect(next.headers.get('ratelimit-remaining')).toBe(String(LIMIT - 2));
  });

  it('uses the socket address behind node:http when no x-forwarded-for is sent', async () => {
    await using server = await startNodeServer(world.gateway.yoga);
    const post = () =>
      fetch(`${server.url}/api/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ ping }' }) });
    const first = await post();
    await first.text();
    const second = await post();
    await second.text();
    expect(first.status).toBe(200);
    expect(first.headers.get('ratelimit-remaining')).toBe(String(LIMIT - 1));
    expect(second.headers.get('ratelimit-remaining')).toBe(String(LIMIT - 2));
  });
  it('sends each rate-limit header once on the wire (one Retry-After value a client can parse)', async () => {
    await using server = await startNodeServer(world.gateway.yoga);
    const post = () =>
      fetch(`${server.url}/api/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': '198.51.100.77' },
        body: JSON.stringify({ query: '{ ping }' }),
      });
    for (let i = 0; i < LIMIT; i++) await (await post()).text();
    const refused = await post();
    await refused.text();
    expect(refused.status).toBe(429);
    // fetch joins repeated headers with ", ": a duplicate would read "60, 60".
    expect(refused.headers.get('retry-after')).toBe(String(WINDOW_SECONDS));
    expect(refused.headers.get('ratelimit-remaining')).toBe('0');
    expect(refused.headers.get('ratelimit-policy')).toBe(`${LIMIT};w=${WINDOW_SECONDS};comment="requests", ${COST_BUDGET};w=${WINDOW_SECONDS};comment="cost"`);
  });
});

describe('cost budget', () => {
  it('spends the estimated cost of each operation and refuses the one that does not fit, without charging it', async () => {
    const auth = await bearer('cost-user');
    const spend = (cost: number) => world.gql('{ ping }', { as: auth, headers: { 'x-test-cost': String(cost) } });

    for (const expected of [70, 40, 10]) {
      const res = await spend(30);
      expect(res.status).toBe(200);
      // The cost budget is the one closest to exhaustion, so the headers describe it.
      expect(res.headers.get('ratelimit-limit')).toBe(String(COST_BUDGET));
      expect(res.headers.get('ratelimit-remaining')).toBe(String(expected));
    }

    const tooExpensive = await spend(30);
    expect(tooExpensive.status).toBe(429);
    expect(tooExpensive.headers.get('retry-after')).toBe(String(WINDOW_SECONDS));
    expect(tooExpensive.headers.get('ratelimit-remaining')).toBe('0');
    expect(tooExpensive.body.errors?.[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED', budget: 'cost', retryAfterSeconds: WINDOW_SECONDS });

    // The refused 30 was given back: 10 still fit.
    const fits = await spend(10);
    expect(fits.status).toBe(200);
    expect(fits.headers.get('ratelimit-remaining')).toBe('0');
    expect(fits.headers.get('ratelimit-policy')).toBe(`${LIMIT};w=${WINDOW_SECONDS};comment="requests", ${COST_BUDGET};w=${WINDOW_SECONDS};comment="cost"`);

    // A spent budget refuses before the operation is parsed: even a broken document gets 429, not 400.
    const refusedEarly = await world.gql('{ ping', { as: auth });
    expect(refusedEarly.status).toBe(429);
    expect(refusedEarly.body.errors?.[0]?.extensions['budget']).toBe('cost');
  });
});
