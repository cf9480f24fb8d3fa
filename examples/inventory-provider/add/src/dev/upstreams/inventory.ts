// Simulated inventory provider (REST): units in stock by product id, batched (`GET /stock?ids=`),
// behind an API key header. Its fixtures are the catalog's stock levels, so both providers agree.
import { fixtures } from './fixtures';
import { ProviderServer, type ProviderReply, type ProviderRequest, type ProviderServerOptions } from './server';
import { defineSimulator } from './define-simulator';

const DEV_API_KEY = 'dev-inventory-key';

export const INVENTORY_LIMITS = Object.freeze({ maxIds: 100 });

/** Units per product id; prod-300 is not stocked here (its `stock` is null). */
const STOCK: ReadonlyMap<string, number> = new Map(fixtures.products.filter((p) => p.sku !== 'prod-300').map((p) => [p.sku, p.stock_qty]));

export interface InventoryProviderOptions extends ProviderServerOptions {
  /** @default the dev key, `dev-inventory-key` */
  readonly apiKey?: string;
}

export class InventoryProvider extends ProviderServer {
  readonly #apiKey: string;

  constructor(options: InventoryProviderOptions = {}) {
    super('inventory', options);
    this.#apiKey = options.apiKey ?? DEV_API_KEY;
  }

  protected override route(request: ProviderRequest): ProviderReply {
    if (request.path !== '/stock') return { status: 404, body: { error: 'not_found' } };
    if (request.method !== 'GET') return { status: 405, body: { error: 'method_not_allowed' } };
    const apiKey = request.headers['x-api-key'];
    if (apiKey === undefined || apiKey === '') return { status: 401, body: { error: 'missing_api_key' } };
    if (apiKey !== this.#apiKey) return { status: 403, body: { error: 'invalid_api_key' } };
    const ids = (request.query.ids ?? '').split(',').filter(Boolean);
    if (ids.length > INVENTORY_LIMITS.maxIds) return { status: 400, body: { error: 'too_many_ids', max: INVENTORY_LIMITS.maxIds } };
    // Unknown ids are omitted, as the real service does.
    const items = [...new Set(ids)].flatMap((sku) => {
      const available = STOCK.get(sku);
      return available === undefined ? [] : [{ sku, available }];
    });
    return { status: 200, body: { items } };
  }

  protected override malformedBody(): unknown {
    return { items: [{ sku: 7, available: 'plenty' }] };
  }
}

export const simulator = defineSimulator({
  name: 'inventory',
  credentials: { inventoryApiKey: DEV_API_KEY },
  create: (world, credentials) => new InventoryProvider({ ...world.server, apiKey: credentials.inventoryApiKey }),
  env: (server, credentials) => ({ INVENTORY_URL: server.url, INVENTORY_API_KEY: credentials.inventoryApiKey }),
});

declare module './registry' {
  interface RegisteredSimulators {
    readonly inventory: typeof simulator;
  }
}
