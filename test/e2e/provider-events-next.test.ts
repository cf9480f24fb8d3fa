// Provider events on the Next.js mounts: `DEMO=1 npm start` (the Pages API routes under next start)
// and `npm start -- --custom-server` (node:http routes the webhook and admin paths to yoga). The demo's
// simulated catalog changes a price and sends its signed event to the launched gateway; the cached
// product page then shows the new price. Signing failures, the admin token and unknown providers too.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEV_CREDENTIALS } from '../../src/dev/upstreams';
import { signatureHeaderOf } from '../../src/plugins/provider-events/signature';
import { ensureNextBuild, freePort, launch, type Launched } from '../helpers/processes';

const ADMIN_TOKEN = 'e2e-cache-admin-token';
const manifest = JSON.parse(readFileSync('persisted-queries/manifest.json', 'utf8')) as { operations: { id: string; name: string }[] };
const PRODUCT_DETAIL = manifest.operations.find((o) => o.name === 'ProductDetail')?.id ?? '';

interface Mount {
  readonly name: string;
  launched: Launched;
  base: string;
  catalog: string;
}
const mounts: Mount[] = [];

beforeAll(async () => {
  ensureNextBuild();
  const env = { DEMO: '1', PERSISTED_OPERATIONS: 'off', RESPONSE_CACHE: '1', CACHE_ADMIN_TOKEN: ADMIN_TOKEN };
  const [port, customPort] = [await freePort(), await freePort()];
  const [next, custom] = await Promise.all([launch(['start'], { ...env, PORT: String(port) }), launch(['start', '--custom-server'], { ...env, PORT: String(customPort) })]);
  for (const [name, launched, p] of [['next start', next, port], ['custom server', custom, customPort]] as const) {
    const catalog = /--catalog (http:\/\/\S+)/.exec(launched.output())?.[1] ?? '';
    mounts.push({ name, launched, base: `http://127.0.0.1:${p}`, catalog });
  }
}, 300_000);
afterAll(async () => {
  await Promise.all(mounts.map((m) => m.launched.stop()));
});

async function page(base: string, id: string): Promise<{ priceCents: number | undefined; cacheTag: string | null; cacheControl: string | null }> {
  const params = new URLSearchParams({ extensions: JSON.stringify({ persistedQuery: { version: 1, sha256Hash: PRODUCT_DETAIL } }), variables: JSON.stringify({ id }) });
  const res = await fetch(`${base}/api/graphql?${params}`, { headers: { accept: 'application/graphql-response+json' } });
  expect(res.status).toBe(200);
  const body = (await res.json()) as { data: { product: { priceCents: number } } };
  return { priceCents: body.data.product.priceCents, cacheTag: res.headers.get('cache-tag'), cacheControl: res.headers.get('cache-control') };
}

describe.each([['next start', 0] as const, ['the custom server', 1] as const])('provider events under %s', (_name, index) => {
  const mount = () => mounts[index] as Mount;
  const productId = index === 0 ? 'prod-61' : 'prod-62';

  it('a price change at the simulated catalog reaches the cached page through the signed webhook', async () => {
    const { base, catalog, launched } = mount();
    const first = await page(base, productId);
    const cached = await page(base, productId);
    expect(cached).toEqual(first);
    expect(first.cacheTag?.split(',')).toEqual(expect.arrayContaining(['Product', `Product:${productId}`, 'op:ProductDetail']));
    expect(first.cacheControl).toMatch(/^public, max-age=60/);
    const newPrice = (first.priceCents ?? 0) + 1;
    const delivered = launched.waitFor(new RegExp(`catalog event product\\.updated \\S+ → gateway 200 \\{"status":"invalidated","tags":\\["Product:${productId}","Product:\\*"\\]`), 30_000);
    const change = await fetch(`${catalog}/__demo/price`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': DEV_CREDENTIALS.catalogApiKey },
      body: JSON.stringify({ id: productId, amountCents: newPrice }),
    });
    expect(change.status).toBe(202);
    await delivered;
    expect((await page(base, productId)).priceCents).toBe(newPrice);
  });

  it('refuses a bad signature (401), an unknown provider (404) and an admin call without its token (401); takes one with it', async () => {
    const { base } = mount();
    const body = JSON.stringify({ id: `evt-e2e-${index}`, type: 'product.updated', data: { id: productId } });
    const bad = await fetch(`${base}/api/webhooks/catalog`, { method: 'POST', headers: { 'webhook-signature': signatureHeaderOf('not-the-secret', body, Date.now() / 1000) }, body });
    expect(bad.status).toBe(401);
    const unknown = await fetch(`${base}/api/webhooks/reviews`, { method: 'POST', body });
    expect(unknown.status).toBe(404);
    const anonymous = await fetch(`${base}/api/admin/invalidate`, { method: 'POST', body: '{"type":"Product"}' });
    expect(anonymous.status).toBe(401);
    const admin = await fetch(`${base}/api/admin/invalidate`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}` }, body: `{"type":"Product","id":"${productId}"}` });
    expect(admin.status).toBe(200);
    expect(await admin.json()).toMatchObject({ status: 'invalidated', tags: [`Product:${productId}`, 'Product:*'] });
  });
});
