// The catalog provider (REST, API key): batch lookups by id and the paginated listing.
import type { AppError } from '../../errors/app-error';
import type { CallContext, ProviderHttpClient } from '../../http/types';
import { fetchAccepted, idRule } from '../id-rule';
import type { Page } from '../page';
import { parseWire } from '../parse';
import { toProduct, type ProductModel } from './map';
import { productBatchSchema, productPageSchema } from './types';

/** Product ids (skus, `prod-42`) travel as one comma-separated `ids=` list: a comma would split it. */
export const PRODUCT_ID = idRule({ label: 'product id', maxLength: 64 });

export interface CatalogProvider {
  /** Products in the order of `ids` (at most the provider's batch size); null where unknown; BAD_USER_INPUT, never sent, where PRODUCT_ID refuses the id. */
  getProducts(ids: readonly string[], ctx: CallContext): Promise<(ProductModel | null | AppError)[]>;
  listProducts(page: { first: number; after?: string | undefined }, ctx: CallContext): Promise<Page<ProductModel>>;
}

export function createCatalogProvider(http: ProviderHttpClient): CatalogProvider {
  return {
    getProducts: (ids, ctx) =>
      fetchAccepted(PRODUCT_ID, ids, async (accepted) => {
        const route = '/products?ids';
        const response = await http.request({ method: 'GET', path: '/products', route, query: { ids: accepted.join(',') } }, ctx);
        const { items } = parseWire(productBatchSchema, response.body, http.provider, route);
        const byId = new Map(items.map((p) => [p.sku, toProduct(p)]));
        return accepted.map((id) => byId.get(id) ?? null);
      }),
    async listProducts({ first, after }, ctx) {
      const route = '/products?limit';
      const response = await http.request({ method: 'GET', path: '/products', route, query: { limit: first, cursor: after } }, ctx);
      const page = parseWire(productPageSchema, response.body, http.provider, route);
      return { items: page.items.map(toProduct), nextCursor: page.next_cursor };
    },
  };
}
