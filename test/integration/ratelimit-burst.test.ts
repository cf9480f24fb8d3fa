// The burst budget (RATE_LIMIT_BURST_REQUESTS per RATE_LIMIT_BURST_SECONDS) through the front door:
// in memory with a frozen fake Date (rate-limiter-flexible reads Date.now, so windows and headers are
// exact), shared by two instances through a real Redis, and spent by the node lane for cached GETs.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createGateway, type Gateway } from '../../src/server/gateway';
import { startNodeServer } from '../../src/server/node-server';
import { createRedis, redisReady, type Redis } from '../../src/server/redis';
import { mintDevToken } from '../../src/dev/dev-jwt';
import { captureLog } from '../helpers/log-capture';
import { startWorld, type GqlResponse, type World } from '../helpers/world';

const GRAPHQL_RESPONSE = 'application/graphql-response+json; charset=utf-8';

function expectBurstRefusal(res: GqlResponse, retryAfter: number): void {
  expect(res.status).toBe(429);
  expect(res.headers.get('content-type')).toBe(GRAPHQL_RESPONSE);
  expect(res.headers.get('retry-after')).toBe(String(retryAfter));
  expect(res.body.data).toBeUndefined();
  expect(res.body.errors).toHaveLength(1);
  expect(res.body.errors?.[0]?.message).toBe('Too many requests in a short time; slow down.');
  expect(res.body.errors?.[0]?.extensions).toEqual({
    code: 'RATE_LIMITED',
    retryable: true,
    retryAfterSeconds: retryAfter,
    budget: 'burst',
    requestId: res.headers.get('x-request-id'),
  });
}

describe('burst budget in memory', () => {
  const REQUESTS = 8;
  const WINDOW_SECONDS = 60;
  const BURST = 5;
  const BURST_SECONDS = 10;
  const COST = 1000;
  let world: World;

  beforeAll(async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date());
    world = await startWorld({
      env: {
        RATE_LIMIT_WINDOW_SECONDS: String(WINDOW_SECONDS),
        RATE_LIMIT_REQUESTS_PER_WINDOW: String(REQUESTS),
        RATE_LIMIT_COST_PER_WINDOW: String(COST),
        RATE_LIMIT_BURST_REQUESTS: String(BURST),
        RATE_LIMIT_BURST_SECONDS: String(BURST_SECONDS),
      },
    });
  });
  afterAll(async () => {
    await world.close();
    vi.useRealTimers();
  });

  it('serves 5 requests in an instant with the burst headers, refuses the 6th with 429 burst, and not another caller', async () => {
    for (let i = 1; i <= BURST; i++) {
      const res = await world.gql('{ ping }', { as: 'burst-a' });
      expect(res.status).toBe(200);
      // Fewer requests are left in the burst than in the minute: the headers describe the burst.
      expect(res.headers.get('ratelimit-limit')).toBe(String(BURST));
      expect(res.headers.get('ratelimit-remaining')).toBe(String(BURST - i));
      expect(res.headers.get('ratelimit-reset')).toBe(String(BURST_SECONDS));
      expect(res.headers.get('ratelimit-policy')).toBe(
        `${REQUESTS};w=${WINDOW_SECONDS};comment="requests", ${BURST};w=${BURST_SECONDS};comment="burst", ${COST};w=${WINDOW_SECONDS};comment="cost"`,
      );
      expect(res.headers.get('retry-after')).toBeNull();
    }
    const refused = await world.gql('{ ping }', { as: 'burst-a' });
    expectBurstRefusal(refused, BURST_SECONDS);
    expect(refused.headers.get('ratelimit-limit')).toBe(String(BURST));
    expect(refused.headers.get('ratelimit-remaining')).toBe('0');
    expect(refused.headers.get('ratelimit-reset')).toBe(String(BURST_SECONDS));

    const other = await world.gql('{ ping }', { as: 'burst-b' });
    expect(other.status).toBe(200);
    expect(other.headers.get('ratelimit-limit')).toBe(String(BURST));
    expect(other.headers.get('ratelimit-remaining')).toBe(String(BURST - 1));
  });

  it('frees the burst when its window ends; refused arrivals still count against the minute, whose refusal then outlasts the burst', async () => {
    const ask = () => world.gql('{ ping }', { as: 'burst-window' });
    for (let i = 1; i <= BURST; i++) expect((await ask()).status).toBe(200);
    expectBurstRefusal(await ask(), BURST_SECONDS); // arrival 6

    vi.setSystemTime(Date.now() + BURST_SECONDS * 1000 - 1);
    const lastMillisecond = await ask(); // arrival 7
    expectBurstRefusal(lastMillisecond, 1);

    vi.setSystemTime(Date.now() + 1);
    const freed = await ask(); // arrival 8: a fresh burst window, the last request of the minute
    expect(freed.status).toBe(200);
    // The minute has 0 left against 4 in the burst: the headers describe the minute.
    expect(freed.headers.get('ratelimit-limit')).toBe(String(REQUESTS));
    expect(freed.headers.get('ratelimit-remaining')).toBe('0');
    expect(freed.headers.get('ratelimit-reset')).toBe(String(WINDOW_SECONDS - BURST_SECONDS));

    // Arrivals 9–13: the minute refuses; the 13th is the 6th of this burst window, refused by both,
    // and Retry-After is the minute's, the later of the two.
    for (let arrival = 9; arrival <= 13; arrival++) {
      const res = await ask();
      expect(res.status).toBe(429);
      expect(res.headers.get('retry-after')).toBe(String(WINDOW_SECONDS - BURST_SECONDS));
      expect(res.headers.get('ratelimit-limit')).toBe(String(REQUESTS));
      expect(res.body.errors?.[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED', budget: 'requests', retryAfterSeconds: WINDOW_SECONDS - BURST_SECONDS });
    }

    // 5 s before the minute ends a new burst window opens that outlasts it: arrivals 14–18 wait for
    // the minute, the 19th is refused by both and must wait for the burst, the later one.
    vi.setSystemTime(Date.now() + (WINDOW_SECONDS - BURST_SECONDS - 5) * 1000);
    for (let arrival = 14; arrival <= 18; arrival++) {
      const res = await ask();
      expect(res.headers.get('retry-after')).toBe('5');
      expect(res.body.errors?.[0]?.extensions['budget']).toBe('requests');
    }
    const both = await ask();
    expectBurstRefusal(both, BURST_SECONDS);
    expect(both.headers.get('ratelimit-limit')).toBe(String(BURST));
  });

  it('describes the budget with the fewest requests left, even when it has the larger fraction left', async () => {
    const ask = () => world.gql('{ ping }', { as: 'burst-tightest' });
    for (let i = 0; i < 2; i++) expect((await ask()).status).toBe(200);
    vi.setSystemTime(Date.now() + BURST_SECONDS * 1000);
    await ask();
    const res = await ask();
    // The minute has 4 of 8 left (half), the burst 3 of 5: the burst refuses first.
    expect(res.status).toBe(200);
    expect(res.headers.get('ratelimit-limit')).toBe(String(BURST));
    expect(res.headers.get('ratelimit-remaining')).toBe('3');
    expect(res.headers.get('ratelimit-reset')).toBe(String(BURST_SECONDS));
  });
});

describe('burst budget at the production defaults', () => {
  let world: World;
  beforeAll(async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date());
    // The production values (test/unit/config.test.ts checks they are the defaults outside tests).
    world = await startWorld({
      env: { RATE_LIMIT_REQUESTS_PER_WINDOW: '600', RATE_LIMIT_COST_PER_WINDOW: '50000', RATE_LIMIT_BURST_REQUESTS: '60', RATE_LIMIT_BURST_SECONDS: '2' },
    });
  });
  afterAll(async () => {
    await world.close();
    vi.useRealTimers();
  });

  it('lets 60 of the issue’s 300 requests in one instant through and refuses the other 240 as a burst', async () => {
    // The memory store also drops a window on a timer: faked too, so a slow machine cannot roll the 2 s window mid-flood.
    vi.useFakeTimers({ toFake: ['Date', 'setTimeout', 'clearTimeout'] });
    // Restored on failure too, or the next tests (and world.close) would run on frozen timers.
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 300; i++) {
        const res = await world.gql('{ ping }', { as: 'hammering-script' });
        statuses.push(res.status);
        if (res.status === 429) expectBurstRefusal(res, 2);
      }
      expect(statuses).toEqual([...Array<number>(60).fill(200), ...Array<number>(240).fill(429)]);
    } finally {
      vi.useFakeTimers({ toFake: ['Date'] });
    }
  });
});

describe('burst budget shared through Redis by two instances', () => {
  const REDIS_URL = 'redis://127.0.0.1:6379';
  const PREFIX = `bff-test:${randomUUID()}:`;
  const BURST = 5;
  const BURST_SECONDS = 60; // long: Redis keeps real time, and the window must not roll over mid-test
  let world: World;
  let gatewayB: Gateway;
  let admin: Redis;

  beforeAll(async () => {
    world = await startWorld({
      env: {
        REDIS_URL,
        // Exact shared counts: a Redis call timing out on a loaded machine would fall back to this
        // instance's own limiter and cache (by design, see redis-faults.test.ts), which is not what is tested here.
        REDIS_TIMEOUT_MS: '5000',
        REDIS_KEY_PREFIX: PREFIX,
        RATE_LIMIT_REQUESTS_PER_WINDOW: '0',
        RATE_LIMIT_COST_PER_WINDOW: '0',
        RATE_LIMIT_BURST_REQUESTS: String(BURST),
        RATE_LIMIT_BURST_SECONDS: String(BURST_SECONDS),
      },
    });
    gatewayB = createGateway(world.config);
    admin = createRedis(REDIS_URL);
    // Until its connection is up an instance counts locally: measure the shared state once all are connected.
    for (const redis of [world.gateway.redis, gatewayB.redis, admin]) expect(redis && (await redisReady(redis))).toBe(true);
  });
  afterAll(async () => {
    const keys = await admin.keys(`${PREFIX}*`);
    if (keys.length > 0) await admin.del(...keys);
    await admin.quit();
    await gatewayB.close();
    await world.close();
  });

  async function ask(gateway: Gateway, user: string): Promise<GqlResponse> {
    const headers = { 'content-type': 'application/json', accept: 'application/graphql-response+json', authorization: `Bearer ${await mintDevToken(user)}` };
    const res = await gateway.yoga.fetch('http://gateway/api/graphql', { method: 'POST', headers, body: JSON.stringify({ query: '{ ping }' }) });
    return { status: res.status, headers: res.headers, body: (await res.json()) as GqlResponse['body'] };
  }

  it('holds one burst across both: 3 on A and 2 on B pass, the 6th is refused on either, another caller passes', async () => {
    const a = world.gateway;
    const served = [await ask(a, 'shared-burst'), await ask(a, 'shared-burst'), await ask(a, 'shared-burst'), await ask(gatewayB, 'shared-burst'), await ask(gatewayB, 'shared-burst')];
    expect(served.map((r) => [r.status, r.headers.get('ratelimit-limit'), r.headers.get('ratelimit-remaining')])).toEqual(
      [4, 3, 2, 1, 0].map((left) => [200, String(BURST), String(left)]),
    );
    expect(served[0]?.headers.get('ratelimit-policy')).toBe(`${BURST};w=${BURST_SECONDS};comment="burst"`);

    for (const gateway of [a, gatewayB]) {
      const refused = await ask(gateway, 'shared-burst');
      const retryAfter = Number(refused.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(BURST_SECONDS);
      expectBurstRefusal(refused, retryAfter);
      expect(refused.headers.get('ratelimit-remaining')).toBe('0');
    }

    const other = await ask(gatewayB, 'shared-burst-other');
    expect(other.status).toBe(200);
    expect(other.headers.get('ratelimit-remaining')).toBe(String(BURST - 1));
    // One key per caller (all its budgets, hash-tagged by identity), the burst's count under its own name.
    expect((await admin.keys(`${PREFIX}rl:*`)).sort()).toEqual([`${PREFIX}rl:{user:shared-burst-other}`, `${PREFIX}rl:{user:shared-burst}`]);
    const counts = await Promise.all(['shared-burst', 'shared-burst-other'].map(async (user) => JSON.parse((await admin.get(`${PREFIX}rl:{user:${user}}`)) ?? '{}') as Record<string, [number, number]>));
    expect(counts.map((c) => [Object.keys(c), c['burst']?.[0]])).toEqual([
      [['burst'], BURST],
      [['burst'], 1],
    ]);
  });
});

describe('burst budget on the node lane for cached GETs', () => {
  const BURST = 3;
  const BURST_SECONDS = 60;
  const log = captureLog();
  const manifest = JSON.parse(readFileSync('persisted-queries/manifest.json', 'utf8')) as { operations: { id: string; name: string }[] };
  const CATALOGUE = manifest.operations.find((o) => o.name === 'Catalogue')?.id ?? '';
  let world: World;

  beforeAll(async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date());
    world = await startWorld({
      env: { RESPONSE_CACHE: '1', RATE_LIMIT_BURST_REQUESTS: String(BURST), RATE_LIMIT_BURST_SECONDS: String(BURST_SECONDS) },
      telemetry: { logDestination: log.stream, logLevel: 'info', processMetrics: false },
    });
  });
  afterAll(async () => {
    await world.close();
    vi.useRealTimers();
  });

  it('spends the burst for a lane hit and answers the burst 429 from the lane', async () => {
    await using server = await startNodeServer(world.gateway.yoga);
    const search = new URLSearchParams({
      operationName: 'Catalogue',
      extensions: JSON.stringify({ persistedQuery: { version: 1, sha256Hash: CATALOGUE } }),
      variables: JSON.stringify({ first: 5 }),
    });
    const seen: { status: number; remaining: string | null; retryAfter: string | null; body: GqlResponse['body'] }[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await fetch(`${server.url}/api/graphql?${search}`, { headers: { 'x-apollo-operation-name': 'Catalogue' } });
      seen.push({ status: res.status, remaining: res.headers.get('ratelimit-remaining'), retryAfter: res.headers.get('retry-after'), body: (await res.json()) as GqlResponse['body'] });
    }
    // The fill (yoga) spends 1, each lane hit 1, and the lane refuses the 4th (public answers carry no budget headers).
    expect(seen.map((s) => [s.status, s.remaining, s.retryAfter])).toEqual([
      [200, null, null],
      [200, null, null],
      [200, null, null],
      [429, '0', String(BURST_SECONDS)],
    ]);
    expect(seen[3]?.body.errors?.[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED', budget: 'burst', retryAfterSeconds: BURST_SECONDS });
    expect(log.requestLines().map((l) => [l['cacheEarly'], l['status']])).toEqual([
      [undefined, 200],
      ['node', 200],
      ['node', 200],
      [undefined, 429],
    ]);
  });
});
