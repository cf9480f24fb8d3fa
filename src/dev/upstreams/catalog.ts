// Simulated catalog provider (REST): products by id, batched by ids, and a paged listing,
// behind an API key header.
import { fixtures } from './fixtures';
import { decodeCursor, pageAfter, parseLimit } from './pagination';
import { ProviderServer, type ProviderReply, type ProviderRequest, type ProviderServerOptions } from './server';
import { defineSimulator } from './define-simulator';

const DEV_API_KEY = 'dev-catalog-key';

export interface CatalogProviderOptions extends ProviderServerOptions {
  /** @default the dev key, `dev-catalog-key` */
  readonly apiKey?: string;
}

export const CATALOG_LIMITS = Object.freeze({ maxIds: 50, defaultLimit: 20, maxLimit: 100 });

export class CatalogProvider extends ProviderServer {
  readonly #apiKey: string;

  constructor(options: CatalogProviderOptions = {}) {
    super('catalog', options);
    this.#apiKey = options.apiKey ?? DEV_API_KEY;
  }

  protected override route(request: ProviderRequest): ProviderReply {
    const { method, path, query } = request;
    if (path !== '/products' && !path.startsWith('/products/')) return { status: 404, body: { error: 'not_found' } };
    if (method !== 'GET') return { status: 405, body: { error: 'method_not_allowed' } };
    const apiKey = request.headers['x-api-key'];
    if (apiKey === undefined || apiKey === '') return { status: 401, body: { error: 'missing_api_key' } };
    if (apiKey !== this.#apiKey) return { status: 403, body: { error: 'invalid_api_key' } };
    if (path !== '/products') {
      const product = fixtures.product(path.slice('/products/'.length));
      return product ? { status: 200, body: product } : { status: 404, body: { error: 'not_found' } };
    }
    return query.ids === undefined ? this.#list(query) : this.#byIds(query.ids);
  }

  protected override malformedBody(request: ProviderRequest): unknown {
    const broken = { sku: 5, name: null, price: { amount: '9.99' } };
    return request.path === '/products' ? { items: [broken], next_cursor: 7 } : broken;
  }

  /** Unknown ids are omitted; the rest keep the requested order (first occurrence). */
  #byIds(rawIds: string): ProviderReply {
    const requested = rawIds.split(',').filter(Boolean);
    if (requested.length > CATALOG_LIMITS.maxIds) return { status: 400, body: { error: 'too_many_ids', max: CATALOG_LIMITS.maxIds } };
    const ids = new Set(requested);
    return { status: 200, body: { items: [...ids].flatMap((id) => fixtures.product(id) ?? []) } };
  }

  #list(query: Readonly<Record<string, string>>): ProviderReply {
    const limit = parseLimit(query.limit, CATALOG_LIMITS.defaultLimit, CATALOG_LIMITS.maxLimit);
    if (limit === undefined) return { status: 400, body: { error: 'invalid_limit', max: CATALOG_LIMITS.maxLimit } };
    const after = query.cursor === undefined ? 0 : decodeCursor(query.cursor);
    if (after === undefined) return { status: 400, body: { error: 'invalid_cursor' } };
    const page = pageAfter(fixtures.products, (p) => p.sku, after, limit);
    return { status: 200, body: { items: page.items, next_cursor: page.nextCursor } };
  }
}

export async function startCatalogProvider(options: CatalogProviderOptions = {}): Promise<CatalogProvider> {
  return new CatalogProvider(options).listen();
}

export const simulator = defineSimulator({
  name: 'catalog',
  credentials: { catalogApiKey: DEV_API_KEY },
  create: (world, credentials) => new CatalogProvider({ ...world.server, apiKey: credentials.catalogApiKey }),
  env: (server, credentials) => ({ CATALOG_URL: server.url, CATALOG_API_KEY: credentials.catalogApiKey }),
});

declare module './registry' {
  interface RegisteredSimulators {
    readonly catalog: typeof simulator;
  }
}
