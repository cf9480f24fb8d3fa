// Inbound rate limits with the in-memory store, through the front door. Time is a frozen fake
// Date (rate-limiter-flexible reads Date.now), so window arithmetic and header values are exact.
// Anonymous callers are counted by client address, so those tests go through a real loopback
// node:http server: 127.0.0.1 is a trusted proxy for `world` and not for `untrusted`.
import { randomInt } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { mintDevToken } from '../../src/dev/dev-jwt';
import { startNodeServer, type NodeServerHandle } from '../../src/server/node-server';
import { startWorld, type World } from '../helpers/world';

const LIMIT = 100;
const WINDOW_SECONDS = 60;
const COST_BUDGET = 100;

let world: World;
let untrusted: World;
/** The gateway of `world` on loopback: the test plays the trusted proxy at 127.0.0.1. */
let proxied: NodeServerHandle;
/** The gateway of `untrusted` on loopback: 127.0.0.1 is an ordinary client there. */
let direct: NodeServerHandle;
const bearer = async (user: string) => `Bearer ${await mintDevToken(user)}`;

beforeAll(async () => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(new Date());
  const env = {
    RATE_LIMIT_WINDOW_SECONDS: String(WINDOW_SECONDS),
    RATE_LIMIT_REQUESTS_PER_WINDOW: String(LIMIT),
    RATE_LIMIT_COST_PER_WINDOW: String(COST_BUDGET),
  };
  // Tests choose the estimated cost of each request; without the header an operation costs 0.
  const costOf = (request: Request) => Number(request.headers.get('x-test-cost') ?? 0);
  [world, untrusted] = await Promise.all([startWorld({ env: { ...env, TRUSTED_PROXIES: '10.0.0.0/8, 127.0.0.1' }, costOf }), startWorld({ env, costOf })]);
  [proxied, direct] = await Promise.all([startNodeServer(world.gateway.yoga), startNodeServer(untrusted.gateway.yoga)]);
});
afterAll(async () => {
  await proxied?.close();
  await direct?.close();
  await world?.close();
  await untrusted?.close();
  vi.useRealTimers();
});

interface WireResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly body: { errors?: { extensions: Record<string, unknown> }[] };
}

/** `{ ping }` over real HTTP from 127.0.0.1, with the given headers (x-forwarded-for among them). */
async function post(server: NodeServerHandle, headers: Record<string, string> = {}): Promise<WireResponse> {
  const res = await fetch(`${server.url}/api/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...headers },
    body: JSON.stringify({ query: '{ ping }' }),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as WireResponse['body'] };
}

const randomIpv4 = () => `${randomInt(1, 224)}.${randomInt(256)}.${randomInt(256)}.${randomInt(256)}`;
const randomIpv6 = () => `2001:db8:${Array.from({ length: 6 }, () => randomInt(0x10000).toString(16)).join(':')}`;

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

  it('counts anonymous callers by the address the trusted proxy appended, whatever they wrote left of it', async () => {
    for (let i = 0; i < LIMIT; i++) {
      const res = await post(proxied, { 'x-forwarded-for': `${randomIpv4()}, 198.51.100.7` });
      expect(res.status).toBe(200);
      expect(res.headers.get('ratelimit-remaining')).toBe(String(LIMIT - 1 - i));
    }
    const spoofed = await post(proxied, { 'x-forwarded-for': '203.0.113.99, 10.1.2.3, 198.51.100.7' });
    expect(spoofed.status).toBe(429);
    expect(spoofed.headers.get('retry-after')).toBe(String(WINDOW_SECONDS));
    const other = await post(proxied, { 'x-forwarded-for': '198.51.100.8' });
    expect(other.status).toBe(200);
    expect(other.headers.get('ratelimit-remaining')).toBe(String(LIMIT - 1));
  });

  it('walks past trusted proxies: two clients behind the same chain get separate budgets', async () => {
    const first = await post(proxied, { 'x-forwarded-for': '198.51.100.30, 10.0.0.2' });
    const second = await post(proxied, { 'x-forwarded-for': '198.51.100.31, 10.0.0.2' });
    const firstAgain = await post(proxied, { 'x-forwarded-for': '6.6.6.6, 198.51.100.30, 10.0.0.9' });
    expect([first.status, second.status, firstAgain.status]).toEqual([200, 200, 200]);
    expect(first.headers.get('ratelimit-remaining')).toBe(String(LIMIT - 1));
    expect(second.headers.get('ratelimit-remaining')).toBe(String(LIMIT - 1));
    expect(firstAgain.headers.get('ratelimit-remaining')).toBe(String(LIMIT - 2));
  });

  it('gives anonymous IPv6 callers one budget per /64', async () => {
    const a = await post(proxied, { 'x-forwarded-for': '2001:db8:7:1::a' });
    const b = await post(proxied, { 'x-forwarded-for': '[2001:db8:7:1:ffff:1:2:3]:50123' });
    const otherNetwork = await post(proxied, { 'x-forwarded-for': '2001:db8:7:2::a' });
    expect(a.headers.get('ratelimit-remaining')).toBe(String(LIMIT - 1));
    expect(b.headers.get('ratelimit-remaining')).toBe(String(LIMIT - 2));
    expect(otherNetwork.headers.get('ratelimit-remaining')).toBe(String(LIMIT - 1));
  });

  it('counts a request with a bad token against its address, and still refuses the token with 401', async () => {
    const res = await post(proxied, { authorization: 'Bearer not.a.jwt', 'x-forwarded-for': '198.51.100.20' });
    expect(res.status).toBe(401);
    expect(res.body.errors?.[0]?.extensions['code']).toBe('UNAUTHENTICATED');
    expect(res.headers.get('ratelimit-remaining')).toBe(String(LIMIT - 1));
    const next = await post(proxied, { 'x-forwarded-for': '198.51.100.20' });
    expect(next.headers.get('ratelimit-remaining')).toBe(String(LIMIT - 2));
  });

  it('uses the socket address behind node:http when no x-forwarded-for is sent', async () => {
    const first = await post(proxied);
    const second = await post(proxied);
    expect(first.status).toBe(200);
    expect(first.headers.get('ratelimit-remaining')).toBe(String(LIMIT - 1));
    expect(second.headers.get('ratelimit-remaining')).toBe(String(LIMIT - 2));
  });

  it('ignores x-forwarded-for from a peer that is not a trusted proxy: forged addresses share its one budget', async () => {
    for (let i = 0; i < LIMIT; i++) {
      const res = await post(direct, { 'x-forwarded-for': i % 2 === 0 ? randomIpv4() : randomIpv6() });
      expect(res.status).toBe(200);
      expect(res.headers.get('ratelimit-remaining')).toBe(String(LIMIT - 1 - i));
    }
    const refused = await post(direct, { 'x-forwarded-for': '198.51.100.99' });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe(String(WINDOW_SECONDS));
    expect(refused.body.errors?.[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED', budget: 'requests', retryAfterSeconds: WINDOW_SECONDS });
    const noHeader = await post(direct);
    expect(noHeader.status).toBe(429);
    // Budgets are per client, not global: an authenticated caller still gets through.
    const user = await post(direct, { authorization: await bearer('direct-user') });
    expect(user.status).toBe(200);
  });

  it('sends each rate-limit header once on the wire (one Retry-After value a client can parse)', async () => {
    for (let i = 0; i < LIMIT; i++) await post(proxied, { 'x-forwarded-for': '198.51.100.77' });
    const refused = await post(proxied, { 'x-forwarded-for': '198.51.100.77' });
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
