// `npm run -s demo:price -- <productId> <priceCents> --catalog <url> [--gateway <url>]`: the price-change
// demo. Reads the product page from the gateway (twice: the second answer is the cached one), changes
// the price at the simulated catalog (which announces it to the gateway with a signed webhook), then
// reads the page again until the new price shows, printing what each answer said. `npm run dev`
// prints the command with its catalog URL.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DEMO_PRICE_PATH } from './upstreams/catalog';
import { DEV_CREDENTIALS } from './upstreams/registry';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { catalog: { type: 'string' }, gateway: { type: 'string', default: 'http://127.0.0.1:3000' } } });
const [productId = '', price = ''] = positionals;
if (!/^prod-\d+$/.test(productId) || !/^\d{1,9}$/.test(price) || values.catalog === undefined) {
  console.error('Usage: npm run -s demo:price -- <productId like prod-1> <price in cents> --catalog <catalog URL printed by npm run dev> [--gateway http://127.0.0.1:3000]');
  process.exit(2);
}
const priceCents = Number(price);
const catalogUrl = values.catalog;

const manifest = JSON.parse(readFileSync('persisted-queries/manifest.json', 'utf8')) as { operations: { id: string; name: string }[] };
const operationId = manifest.operations.find((op) => op.name === 'ProductDetail')?.id ?? '';
const pageUrl = `${values.gateway}/api/graphql?${new URLSearchParams({ extensions: JSON.stringify({ persistedQuery: { version: 1, sha256Hash: operationId } }), variables: JSON.stringify({ id: productId }) })}`;

async function readPage(label: string): Promise<number | undefined> {
  const response = await fetch(pageUrl, { headers: { accept: 'application/graphql-response+json' } });
  const body = (await response.json()) as { data?: { product?: { priceCents?: number } | null } };
  const shown = body.data?.product?.priceCents;
  const tags = response.headers.get('cache-tag') ?? '';
  console.log(`${label.padEnd(22)} ${response.status} priceCents=${shown} x-response-cache=${response.headers.get('x-response-cache')} cache-control="${response.headers.get('cache-control')}" cache-tag="${tags.length > 80 ? `${tags.slice(0, 80)}…` : tags}"`);
  return shown;
}

await readPage('GET product page');
await readPage('GET again');
const changed = await fetch(new URL(DEMO_PRICE_PATH, catalogUrl), {
  method: 'POST',
  headers: { 'content-type': 'application/json', 'x-api-key': DEV_CREDENTIALS.catalogApiKey },
  body: JSON.stringify({ id: productId, amountCents: priceCents }),
});
console.log(`POST catalog ${DEMO_PRICE_PATH}  ${changed.status} ${await changed.text()}`);
// The catalog announces the change right after answering: a few reads at most.
for (let attempt = 1; attempt <= 20; attempt++) {
  const shown = await readPage(`GET after change #${attempt}`);
  if (shown === priceCents) process.exit(0);
  await new Promise((resolve) => setTimeout(resolve, 100));
}
console.error('The new price did not show: is the gateway configured with CATALOG_WEBHOOK_SECRET (npm run dev sets it)?');
process.exit(1);
