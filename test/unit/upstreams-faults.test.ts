// Fault switches of the simulated providers: each kind, scripting (times/every/ratio/match), latency.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { createFaultList } from '../../src/dev/upstreams/faults';
import { CatalogProvider, DEV_CREDENTIALS, fixtures, startCatalogProvider } from '../../src/dev/upstreams';

let catalog: CatalogProvider;
beforeEach(async () => {
  catalog = await startCatalogProvider();
});
afterEach(() => catalog.close());

async function get(path = '/products/prod-1') {
  const res = await request(`${catalog.url}${path}`, { headers: { 'x-api-key': DEV_CREDENTIALS.catalogApiKey } });
  return { status: res.statusCode, headers: res.headers, text: await res.body.text() };
}

async function statuses(n: number, path?: string): Promise<number[]> {
  const seen: number[] = [];
  for (let i = 0; i < n; i += 1) seen.push((await get(path)).status);
  return seen;
}

describe('provider faults', () => {
  it('status with times: 1 fails once, then the next request succeeds', async () => {
    const fault = catalog.fault({ kind: 'status', status: 502 }, { times: 1 });
    const first = await get();
    expect(first.status).toBe(502);
    expect(JSON.parse(first.text)).toEqual({ error: 'http_502' });
    expect(await statuses(2)).toEqual([200, 200]);
    expect(fault.applied).toBe(1);
    expect(catalog.count()).toBe(3);
  });

  it('status carries a custom body', async () => {
    catalog.fault({ kind: 'status', status: 503, body: { error: 'maintenance' } });
    expect(await get()).toMatchObject({ status: 503, text: '{"error":"maintenance"}' });
  });

  it('applies faults in the order added, consuming times-limited ones', async () => {
    catalog.fault({ kind: 'status', status: 500 }, { times: 1 });
    catalog.fault({ kind: 'status', status: 504 }, { times: 2 });
    expect(await statuses(4)).toEqual([500, 504, 504, 200]);
  });

  it('rate-limit answers 429 with Retry-After in seconds or as an HTTP-date', async () => {
    catalog.fault({ kind: 'rate-limit', retryAfter: '2' }, { times: 1 });
    catalog.fault({ kind: 'rate-limit', retryAfter: 'Wed, 21 Oct 2015 07:28:00 GMT' }, { times: 1 });
    const first = await get();
    const second = await get();
    expect([first.status, first.headers['retry-after']]).toEqual([429, '2']);
    expect([second.status, second.headers['retry-after']]).toEqual([429, 'Wed, 21 Oct 2015 07:28:00 GMT']);
  });

  it('reset destroys the socket without an answer', async () => {
    catalog.fault({ kind: 'reset' }, { times: 1 });
    await expect(get()).rejects.toMatchObject({ code: expect.stringMatching(/^(UND_ERR_SOCKET|ECONNRESET)$/) });
    expect((await get()).status).toBe(200);
  });

  it('hang never answers until the provider closes', async () => {
    catalog.fault({ kind: 'hang' });
    let settled = false;
    const pending = get().finally(() => {
      settled = true;
    });
    await catalog.waitForRequests(1);
    expect(settled).toBe(false);
    await catalog.close();
    await expect(pending).rejects.toThrow();
  });

  it('malformed answers 200 with valid JSON that breaks the contract', async () => {
    catalog.fault({ kind: 'malformed' });
    const res = await get('/products?ids=prod-1');
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text)).toMatchObject({ items: [{ sku: 5 }] });
  });

  it('invalid-json answers 200 with a truncated JSON body', async () => {
    catalog.fault({ kind: 'invalid-json' });
    const res = await get();
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json');
    expect(() => JSON.parse(res.text) as unknown).toThrow(SyntaxError);
  });

  it('every: 3 hits every third matching request', async () => {
    catalog.fault({ kind: 'status', status: 503 }, { every: 3 });
    expect(await statuses(6)).toEqual([200, 200, 503, 200, 200, 503]);
  });

  it('match limits a fault to a method and an exact path or a prefix', async () => {
    catalog.fault({ kind: 'status', status: 500 }, { match: { path: '/products/*' } });
    catalog.fault({ kind: 'status', status: 502 }, { match: { method: 'POST' } });
    expect((await get('/products/prod-2')).status).toBe(500);
    expect((await get('/products?ids=prod-2')).status).toBe(200);
  });

  it('clearFaults and a switch’s clear() remove faults', async () => {
    const one = catalog.fault({ kind: 'status', status: 500 });
    catalog.fault({ kind: 'status', status: 502 });
    one.clear();
    expect((await get()).status).toBe(502);
    catalog.clearFaults();
    expect((await get()).status).toBe(200);
  });

  it('ratio picks requests from a seeded PRNG, the same ones on every run', () => {
    const pattern = () => {
      const list = createFaultList();
      list.add({ kind: 'reset' }, { ratio: 0.5 });
      return Array.from({ length: 40 }, () => list.decide('GET', '/x').fault !== undefined);
    };
    const first = pattern();
    const hits = first.filter(Boolean).length;
    expect(hits).toBeGreaterThan(5);
    expect(hits).toBeLessThan(35);
    expect(pattern()).toEqual(first);
  });

  it('latency faults add up and let a later terminal fault apply', () => {
    const list = createFaultList();
    list.add({ kind: 'latency', ms: 20 });
    list.add({ kind: 'latency', ms: 5 }, { match: { path: '/a' } });
    list.add({ kind: 'status', status: 503 }, { times: 1 });
    expect(list.decide('GET', '/a')).toEqual({ extraLatencyMs: 25, fault: { kind: 'status', status: 503 } });
    expect(list.decide('GET', '/b')).toEqual({ extraLatencyMs: 20, fault: undefined });
  });

  it('latencyMs delays every answer', async () => {
    catalog.latencyMs = 40;
    const started = performance.now();
    const res = await get();
    expect(res.status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(39);
    expect(JSON.parse(res.text)).toEqual(fixtures.product('prod-1'));
  });

  it('recording can be reset and switched off', async () => {
    await get();
    expect(catalog.count({ method: 'GET', path: '/products/prod-1' })).toBe(1);
    catalog.resetRecords();
    catalog.recording = false;
    await get();
    expect(catalog.requests).toHaveLength(0);
  });

  it('await using closes the provider', async () => {
    let url = '';
    {
      await using provider = await startCatalogProvider();
      url = provider.url;
    }
    await expect(request(`${url}/products/prod-1`)).rejects.toThrow();
  });
});
