// The catalog provider (REST, API key): products by id, batched, and the paginated catalogue.
import { providerVariable } from '../../config/provider-variables';
import { BatchLoader } from '../batch-loader';
import { defineProvider } from '../define-provider';
import type { Page } from '../page';
import { createCatalogProvider } from './client';
import { catalogEvents } from './events';
import { catalogContract } from './probes';
import type { ProductModel } from './map';

export const catalog = defineProvider({
  name: 'catalog',
  env: {
    CATALOG_URL: providerVariable.url(),
    CATALOG_API_KEY: providerVariable.secret(),
    CATALOG_WEBHOOK_SECRET: providerVariable.optionalSecret(),
    CATALOG_WEBHOOK_SECRET_PREVIOUS: providerVariable.optionalSecret(),
  },
  config: (env) => ({
    baseUrl: env.CATALOG_URL,
    auth: { kind: 'apiKey', header: 'x-api-key', value: env.CATALOG_API_KEY },
    maxBatchSize: 50,
    webhookSecrets: [env.CATALOG_WEBHOOK_SECRET, env.CATALOG_WEBHOOK_SECRET_PREVIOUS],
  }),
  events: catalogEvents,
  client: createCatalogProvider,
  contract: catalogContract,
  loaders: (client, { maxBatchSize, call }) => {
    const product = new BatchLoader<ProductModel | null>((ids) => client.getProducts(ids, call), { maxBatchSize, name: 'catalog.product' });
    return {
      product,
      /** Not batched (one per field); its items warm `product`, so a later `product(id)` costs no call. */
      async page(page: { first: number; after?: string | undefined }): Promise<Page<ProductModel>> {
        const result = await client.listProducts(page, call);
        for (const item of result.items) product.prime(item.id, item);
        return result;
      },
    };
  },
});
