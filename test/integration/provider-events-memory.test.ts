// Provider events without Redis: the instance's own memory store is invalidated and event ids are
// remembered in its bounded LRU (another instance, with its own memory store, would not hear of it).
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signatureHeaderOf } from '../../src/plugins/provider-events/signature';
import { demoEnv } from '../../src/dev/demo-env';
import { buildConfig, parseEnv } from '../../src/server/config';
import { createGateway } from '../../src/server/gateway';
import { startNodeServer } from '../../src/server/node-server';
import { captureLog } from '../helpers/log-capture';
import { createManualClock } from '../helpers/manual-clock';
import { freePort } from '../helpers/processes';
import { startWorld, type World } from '../helpers/world';

const SECRET = 'memory-catalog-secret';
const manifest = JSON.parse(readFileSync('persisted-queries/manifest.json', 'utf8')) as { operations: { id: string; name: string }[] };
const PRODUCT_DETAIL = manifest.operations.find((op) => op.name === 'ProductDetail')?.id ?? '';
const clock = createManualClock({ start: 1_800_000_000_000 });
let world: World;

beforeAll(async () => {
  world = await startWorld({ clock, env: { NODE_ENV: 'development', LOG_LEVEL: 'silent', RESPONSE_CACHE: '1', CATALOG_WEBHOOK_SECRET: SECRET } });
});
afterAll(() => world.close());

async function productCache(id: string): Promise<string | null> {
  const params = new URLSearchParams({ extensions: JSON.stringify({ persistedQuery: { version: 1, sha256Hash: PRODUCT_DETAIL } }), variables: JSON.stringify({ id }) });
  const res = await world.gateway.yoga.fetch(`http://gateway/api/graphql?${params}`, { headers: { accept: 'application/graphql-response+json' } });
  expect(res.status).toBe(200);
  await res.text();
  return res.headers.get('x-response-cache');
}

async function send(event: unknown): Promise<{ status: number; body: unknown }> {
  const body = JSON.stringify(event);
  const res = await world.gateway.yoga.fetch('http://gateway/api/webhooks/catalog', { method: 'POST', headers: { 'webhook-signature': signatureHeaderOf(SECRET, body, clock.now() / 1000) }, body });
  return { status: res.status, body: await res.json() };
}

describe('the custom server (node:http in front of Next)', () => {
  it('hands the webhook and admin paths to yoga and every other path to its fallback', async () => {
    const fellBack: string[] = [];
    await using server = await startNodeServer(world.gateway.yoga, { fallback: (req, res) => void (fellBack.push(req.url ?? ''), res.writeHead(299).end()) });
    const statusOf = async (path: string) => (await fetch(`${server.url}${path}`, { method: 'POST', body: '{}' })).status;
    // Yoga's answers: no secret for reviews (404), a valid signature missing (401), no admin token configured (404).
    expect(await statusOf('/api/webhooks/reviews')).toBe(404);
    expect(await statusOf('/api/webhooks/catalog?attempt=2')).toBe(401);
    expect(await statusOf('/api/admin/invalidate')).toBe(404);
    expect(fellBack).toEqual([]);
    expect(await statusOf('/api/webhooks-elsewhere')).toBe(299);
    expect(await statusOf('/api/admin/other')).toBe(299);
    expect(fellBack).toEqual(['/api/webhooks-elsewhere', '/api/admin/other']);
  });
});

describe('the CDN purge hook’s host in the logs', () => {
  it('is redacted from the line of a failed purge call', async () => {
    // Nothing listens there (127.0.0.2 is loopback on Linux; the simulators are on 127.0.0.1): the call fails with ECONNREFUSED <host:port>.
    const port = await freePort();
    const log = captureLog();
    const config = buildConfig(parseEnv({ ...demoEnv(world.upstreams), NODE_ENV: 'test', LOG_LEVEL: 'info', CATALOG_WEBHOOK_SECRET: SECRET, CACHE_PURGE_URL: `http://127.0.0.2:${port}/purge` }));
    await using gateway = createGateway(config, { clock, telemetry: { logDestination: log.stream, logLevel: 'info', processMetrics: false } });
    const body = JSON.stringify({ id: `evt-${randomUUID()}`, type: 'product.updated', data: { id: 'prod-73' } });
    const res = await gateway.yoga.fetch('http://gateway/api/webhooks/catalog', { method: 'POST', headers: { 'webhook-signature': signatureHeaderOf(SECRET, body, clock.now() / 1000) }, body });
    expect(res.status).toBe(200);
    await gateway.purgesSettled();
    const failed = log.raw().filter((line) => line.includes('cache purge hook failed'));
    expect(failed).toHaveLength(1);
    expect(failed[0]).not.toContain('127.0.0.2');
    expect(failed[0]).toContain('"message":"connect ECONNREFUSED [upstream-host]"');
  });
});

describe('provider events without Redis', () => {
  it('invalidate the instance’s memory store, once per event id', async () => {
    expect(world.gateway.redis).toBeUndefined();
    expect([await productCache('prod-71'), await productCache('prod-71'), await productCache('prod-72')]).toEqual(['miss', 'hit', 'miss']);
    const event = { id: `evt-${randomUUID()}`, type: 'product.updated', data: { id: 'prod-71' } };
    expect(await send(event)).toMatchObject({ status: 200, body: { status: 'invalidated' } });
    world.resetCounts();
    expect(await productCache('prod-71')).toBe('miss');
    expect(await productCache('prod-72')).toBe('hit');
    expect(world.counts().catalog).toBe(1);
    expect(await send(event)).toMatchObject({ status: 200, body: { status: 'replayed' } });
    expect(await productCache('prod-71')).toBe('hit');
  });
});
