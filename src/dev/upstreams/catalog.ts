// Simulated catalog provider (REST): products by id, batched by ids, and a paged listing,
// behind an API key header. Its prices can change (`setPrice`, or `POST /__demo/price` from
// `npm run demo:price`), and each change is announced to the gateway as a signed webhook event
// (`product.updated`), as a real catalogue service would.
import { fixtures, type ProductFixture } from './fixtures';
import { CatalogEvents, type CatalogEventsOptions, type EventDelivery } from './catalog-events';
import { decodeCursor, pageAfter, parseLimit } from './pagination';
import { ProviderServer, type ProviderReply, type ProviderRequest, type ProviderServerOptions } from './server';
import { defineSimulator } from './define-simulator';

const DEV_API_KEY = 'dev-catalog-key';
const DEV_WEBHOOK_SECRET = 'dev-catalog-webhook-secret';

/** The dev route that changes a price (the demo's command calls it). */
export const DEMO_PRICE_PATH = '/__demo/price';

export interface CatalogProviderOptions extends ProviderServerOptions {
  /** @default the dev key, `dev-catalog-key` */
  readonly apiKey?: string;
  /** Signs its webhook events. @default the dev secret, `dev-catalog-webhook-secret` */
  readonly webhookSecret?: string;
}

export const CATALOG_LIMITS = Object.freeze({ maxIds: 50, defaultLimit: 20, maxLimit: 100 });

export class CatalogProvider extends ProviderServer {
  readonly #apiKey: string;
  readonly #webhookSecret: string;
  readonly #prices = new Map<string, number>();
  /** Where changes are announced; set by `announceTo` (none until then). */
  readonly events = new CatalogEvents();

  constructor(options: CatalogProviderOptions = {}) {
    super('catalog', options);
    this.#apiKey = options.apiKey ?? DEV_API_KEY;
    this.#webhookSecret = options.webhookSecret ?? DEV_WEBHOOK_SECRET;
  }

  /** Announces every later change to this webhook URL, signed with its webhook secret unless `secret` is given. */
  announceTo(options: Omit<CatalogEventsOptions, 'secret'> & { readonly secret?: string }): void {
    this.events.configure({ ...options, secret: options.secret ?? this.#webhookSecret });
  }

  /** Changes a product's price (cents) and announces it; undefined when the product does not exist. */
  setPrice(id: string, amountCents: number): Promise<EventDelivery> | undefined {
    if (fixtures.product(id) === undefined) return undefined;
    this.#prices.set(id, amountCents);
    return this.events.emit('product.updated', { id });
  }

  #withPrice(product: ProductFixture): ProductFixture {
    const amount = this.#prices.get(product.sku);
    return amount === undefined ? product : { ...product, price: { ...product.price, amount } };
  }

  protected override route(request: ProviderRequest): ProviderReply {
    const { method, path, query } = request;
    if (path === DEMO_PRICE_PATH) return this.#demoPrice(request);
    if (path !== '/products' && !path.startsWith('/products/')) return { status: 404, body: { error: 'not_found' } };
    if (method !== 'GET') return { status: 405, body: { error: 'method_not_allowed' } };
    const apiKey = request.headers['x-api-key'];
    if (apiKey === undefined || apiKey === '') return { status: 401, body: { error: 'missing_api_key' } };
    if (apiKey !== this.#apiKey) return { status: 403, body: { error: 'invalid_api_key' } };
    if (path !== '/products') {
      const product = fixtures.product(path.slice('/products/'.length));
      return product ? { status: 200, body: this.#withPrice(product) } : { status: 404, body: { error: 'not_found' } };
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
    return { status: 200, body: { items: [...ids].flatMap((id) => fixtures.product(id) ?? []).map((p) => this.#withPrice(p)) } };
  }

  #list(query: Readonly<Record<string, string>>): ProviderReply {
    const limit = parseLimit(query.limit, CATALOG_LIMITS.defaultLimit, CATALOG_LIMITS.maxLimit);
    if (limit === undefined) return { status: 400, body: { error: 'invalid_limit', max: CATALOG_LIMITS.maxLimit } };
    const after = query.cursor === undefined ? 0 : decodeCursor(query.cursor);
    if (after === undefined) return { status: 400, body: { error: 'invalid_cursor' } };
    const page = pageAfter(fixtures.products, (p) => p.sku, after, limit);
    return { status: 200, body: { items: page.items.map((p) => this.#withPrice(p)), next_cursor: page.nextCursor } };
  }

  /** `POST /__demo/price {"id","amountCents"}` with the API key: the price changes, the event goes out (its outcome is logged). */
  #demoPrice(request: ProviderRequest): ProviderReply {
    if (request.method !== 'POST') return { status: 405, body: { error: 'method_not_allowed' } };
    if (request.headers['x-api-key'] !== this.#apiKey) return { status: 403, body: { error: 'invalid_api_key' } };
    const body = request.body;
    const id = typeof body === 'object' && body !== null && 'id' in body && typeof body.id === 'string' ? body.id : undefined;
    const amount = typeof body === 'object' && body !== null && 'amountCents' in body && Number.isInteger(body.amountCents) ? Number(body.amountCents) : undefined;
    if (id === undefined || amount === undefined || amount < 0) return { status: 400, body: { error: 'expected {"id": string, "amountCents": integer}' } };
    const delivery = this.setPrice(id, amount);
    if (delivery === undefined) return { status: 404, body: { error: 'not_found' } };
    return { status: 202, body: { id, amountCents: amount, announced: this.events.configured } };
  }
}

export async function startCatalogProvider(options: CatalogProviderOptions = {}): Promise<CatalogProvider> {
  return new CatalogProvider(options).listen();
}

export const simulator = defineSimulator({
  name: 'catalog',
  credentials: { catalogApiKey: DEV_API_KEY, catalogWebhookSecret: DEV_WEBHOOK_SECRET },
  create: (world, credentials) => new CatalogProvider({ ...world.server, apiKey: credentials.catalogApiKey, webhookSecret: credentials.catalogWebhookSecret }),
  env: (server, credentials) => ({ CATALOG_URL: server.url, CATALOG_API_KEY: credentials.catalogApiKey, CATALOG_WEBHOOK_SECRET: credentials.catalogWebhookSecret }),
});

declare module './registry' {
  interface RegisteredSimulators {
    readonly catalog: typeof simulator;
  }
}
