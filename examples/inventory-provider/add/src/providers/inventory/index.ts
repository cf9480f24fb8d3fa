// The inventory provider (REST, API key): units in stock by product id, batched (`GET /stock?ids=`),
// serving `Product.stock`. Wire shape, client and loaders in one module: it is small.
import DataLoader from 'dataloader';
import { z } from 'zod';
import { providerVariable } from '../../config/provider-variables';
import type { AppError } from '../../errors/app-error';
import type { CallContext, ProviderHttpClient } from '../../http/types';
import { defineContract } from '../contract';
import { defineProvider } from '../define-provider';
import { fetchAccepted, idRule } from '../id-rule';
import { parseWire } from '../parse';

/** Product ids travel as one comma-separated `ids=` list: a comma would split it. */
export const STOCKED_PRODUCT_ID = idRule({ label: 'product id', maxLength: 64 });

const stockBatchSchema = z.object({ items: z.array(z.object({ sku: z.string(), available: z.number().int().min(0) })) });

export interface InventoryProvider {
  /** Units available, in the order of `ids`; null where the provider does not stock the product; BAD_USER_INPUT, never sent, where STOCKED_PRODUCT_ID refuses the id. */
  getStock(ids: readonly string[], ctx: CallContext): Promise<(number | null | AppError)[]>;
}

export function createInventoryProvider(http: ProviderHttpClient): InventoryProvider {
  return {
    getStock: (ids, ctx) =>
      fetchAccepted(STOCKED_PRODUCT_ID, ids, async (accepted) => {
        const route = '/stock?ids';
        const response = await http.request({ method: 'GET', path: '/stock', route, query: { ids: accepted.join(',') } }, ctx);
        const { items } = parseWire(stockBatchSchema, response.body, http.provider, route);
        const bySku = new Map(items.map((item) => [item.sku, item.available]));
        return accepted.map((id) => bySku.get(id) ?? null);
      }),
  };
}

export const inventory = defineProvider({
  name: 'inventory',
  env: { INVENTORY_URL: providerVariable.url(), INVENTORY_API_KEY: providerVariable.secret() },
  config: (env) => ({
    baseUrl: env.INVENTORY_URL,
    auth: { kind: 'apiKey', header: 'x-api-key', value: env.INVENTORY_API_KEY },
    // Its documented limits: 100 ids per call, 1000 calls per second.
    maxBatchSize: 100,
    rateLimit: { ratePerSecond: 1000, burst: 100 },
  }),
  client: createInventoryProvider,
  // What `npm run providers:check` calls: one batch lookup, its answer checked against the runtime's schema.
  contract: defineContract({
    samples: { productId: 'prod-1' },
    probes: [{ kind: 'rest', request: ({ productId }) => ({ method: 'GET', path: '/stock', route: '/stock?ids', query: { ids: productId } }), schema: stockBatchSchema }],
  }),
  loaders: (client, { maxBatchSize, call }) => ({
    stock: new DataLoader<string, number | null>((ids) => client.getStock(ids, call), { maxBatchSize, name: 'inventory.stock' }),
  }),
});
