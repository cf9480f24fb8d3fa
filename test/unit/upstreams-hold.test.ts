// The `hold` fault: a simulated provider keeps its answer until a test's gate opens, and counts the
// held requests whose caller went away first (abandoned), so tests can order events without timers.
import { request } from 'undici';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { CatalogProvider, DEV_CREDENTIALS, startCatalogProvider } from '../../src/dev/upstreams';

let catalog: CatalogProvider;
beforeEach(async () => {
  catalog = await startCatalogProvider();
});
afterEach(() => catalog.close());

function gate() {
  let open: () => void = () => {};
  const until = new Promise<void>((resolve) => (open = resolve));
  return { until, open };
}

const get = (signal?: AbortSignal) => request(`${catalog.url}/products/prod-1`, { headers: { 'x-api-key': DEV_CREDENTIALS.catalogApiKey }, ...(signal ? { signal } : {}) });

it('holds the real answer until the gate opens, then sends it', async () => {
  const held = gate();
  catalog.fault({ kind: 'hold', until: held.until }, { times: 1 });
  let answered = false;
  const pending = get().then(async (res) => {
    answered = true;
    return { status: res.statusCode, body: (await res.body.json()) as { name: string } };
  });
  await catalog.waitForRequests(1);
  // A second request, not held, is answered while the first still waits.
  expect((await get()).statusCode).toBe(200);
  expect(answered).toBe(false);
  held.open();
  expect(await pending).toEqual({ status: 200, body: expect.objectContaining({ name: 'Classic Chair 1' }) });
  expect(catalog.abandoned()).toBe(0);
});

it('counts a held request whose caller goes away as abandoned, and never answers it', async () => {
  const held = gate();
  catalog.fault({ kind: 'hold', until: held.until });
  const client = new AbortController();
  const pending = get(client.signal).catch((error: unknown) => error);
  await catalog.waitForRequests(1);
  client.abort();
  await catalog.waitForAbandoned(1);
  held.open();
  expect(await pending).toBeInstanceOf(Error);
  expect([catalog.count(), catalog.abandoned()]).toEqual([1, 1]);
});
