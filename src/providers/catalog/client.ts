// The catalog provider (REST, API key): batch lookups by id and the paginated listing.
import type { CallContext, ProviderHttpClient } from '../../http/types';
import type { Page } from '../page';
import { parseWire } from '../parse';
import { toProduct, type ProductModel } from './map';
import { productBatchSchema, productPageSchema } from './types';

export interface CatalogProvider {
  /** Products in the order of `ids` (at most the provider's batch size); null where unknown. */
  getProducts(ids: readonly string[], ctx: CallContext): Promise<(ProductModel | null)[]>;
  listProducts(page: { first: number; after?: string | undefined }, ctx: CallContext): Promise<Page<ProductModel>>;
}

export function createCatalogProvider(http: ProviderHttpClient): CatalogProvider {
  return {
    async getProducts(ids, ctx) {
      const route = '/products?ids';
      const response = await http.request({ method: 'GET', path: '/products', route, query: { ids: ids.join(',') } }, ctx);
      const { items } = parseWire(productBatchSchema, response.body, http.provider, route);
      const byId = new Map(items.map((p) => [p.sku, toProduct(p)]));
      return ids.map((id) => byId.get(id) ?? null);
    },
    async listProducts({ first, after }, ctx) {
      const route = '/products?limit';
      const response = await http.request({ method: 'GET', path: '/products', route, query: { limit: first, cursor: after } }, ctx);
      const page = parseWire(productPageSchema, response.body, http.provider, route);
      return { items: page.items.map(toProduct), nextCursor: page.next_cursor };
    },
  };
}
