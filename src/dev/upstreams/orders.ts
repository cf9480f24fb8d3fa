// Simulated orders provider (REST): reads and idempotent order placement behind OAuth2 bearer
// tokens issued by the auth provider.
import { isRecord } from './body';
import { ORDER_SCOPES } from './credentials';
import { fixtures, type OrderFixture } from './fixtures';
import { canonicalJson, createOrderStore, type NewOrder } from './order-store';
import { decodeCursor, pageAfter, parseLimit } from './pagination';
import { ProviderServer, type ProviderReply, type ProviderRequest, type ProviderServerOptions } from './server';
import { defineSimulator } from './define-simulator';
import type { TokenRegistry } from './token-registry';

export interface OrdersProviderOptions extends ProviderServerOptions {
  /** Shared with the auth provider, which issues the tokens. */
  readonly tokens: TokenRegistry;
  /** Clock for `created_at` of placed orders. @default Date.now */
  readonly now?: () => number;
}

export const ORDERS_LIMITS = Object.freeze({ defaultLimit: 20, maxLimit: 100, maxCustomerIds: 50, maxLineItems: 50, maxQty: 999 });

const INVALID_TOKEN: ProviderReply = {
  status: 401,
  headers: { 'www-authenticate': 'Bearer error="invalid_token"' },
  body: { error: 'invalid_token' },
};

function parseNewOrder(body: unknown): NewOrder | ProviderReply {
  const invalid = (detail: string): ProviderReply => ({ status: 422, body: { error: 'invalid_body', detail } });
  if (!isRecord(body)) return invalid('body must be a JSON object');
  const { customer_id: customerId, line_items: items } = body;
  if (typeof customerId !== 'string' || customerId === '') return invalid('customer_id must be a non-empty string');
  if (!fixtures.user(customerId)) return { status: 422, body: { error: 'unknown_customer', customer_id: customerId } };
  if (!Array.isArray(items) || items.length === 0 || items.length > ORDERS_LIMITS.maxLineItems) {
    return invalid(`line_items must hold 1..${ORDERS_LIMITS.maxLineItems} items`);
  }
  const lines: { sku: string; qty: number }[] = [];
  for (const item of items) {
    if (!isRecord(item) || typeof item.sku !== 'string') return invalid('line_items[].sku must be a string');
    const { sku, qty } = item;
    if (typeof qty !== 'number' || !Number.isInteger(qty) || qty < 1 || qty > ORDERS_LIMITS.maxQty) {
      return invalid(`line_items[].qty must be an integer in 1..${ORDERS_LIMITS.maxQty}`);
    }
    if (!fixtures.product(sku)) return { status: 422, body: { error: 'unknown_sku', sku } };
    lines.push({ sku, qty });
  }
  return { customerId, lines };
}

export class OrdersProvider extends ProviderServer {
  readonly #tokens: TokenRegistry;
  readonly #store: ReturnType<typeof createOrderStore>;

  constructor(options: OrdersProviderOptions) {
    super('orders', options);
    this.#tokens = options.tokens;
    this.#store = createOrderStore(options.now ?? Date.now);
  }

  /** Orders placed via POST (never the replays), in creation order. */
  createdOrders(): readonly OrderFixture[] {
    return this.#store.created();
  }

  protected override route(request: ProviderRequest): ProviderReply {
    const { method, path } = request;
    if (path !== '/orders' && !path.startsWith('/orders/')) return { status: 404, body: { error: 'not_found' } };
    if (method !== 'GET' && !(method === 'POST' && path === '/orders')) return { status: 405, body: { error: 'method_not_allowed' } };
    const denied = this.#authorize(request, method === 'GET' ? ORDER_SCOPES.read : ORDER_SCOPES.write);
    if (denied) return denied;
    if (method === 'POST') return this.#place(request);
    if (path === '/orders') return this.#list(request.query);
    const order = this.#store.get(path.slice('/orders/'.length));
    return order ? { status: 200, body: order } : { status: 404, body: { error: 'not_found' } };
  }

  protected override malformedBody(request: ProviderRequest): unknown {
    const broken = { order_id: 7, customer_id: null, status: 'LOST', line_items: 'none', total_cents: '12.50' };
    return request.path === '/orders' && request.method === 'GET' ? { data: [broken], next_cursor: 5 } : broken;
  }

  #authorize(request: ProviderRequest, scope: string): ProviderReply | undefined {
    const match = /^bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '');
    if (match?.[1] === undefined) return INVALID_TOKEN;
    const checked = this.#tokens.check(match[1]);
    if (!checked.ok) return INVALID_TOKEN;
    if (!checked.token.scopes.has(scope)) {
      return {
        status: 403,
        headers: { 'www-authenticate': `Bearer error="insufficient_scope", scope="${scope}"` },
        body: { error: 'insufficient_scope', scope },
      };
    }
    return undefined;
  }

  #list(query: Readonly<Record<string, string>>): ProviderReply {
    if (query.customer_ids !== undefined) return this.#batch(query.customer_ids, query.limit_per_customer);
    const customerId = query.customer_id;
    if (customerId === undefined || customerId === '') return { status: 400, body: { error: 'customer_id_required' } };
    const limit = parseLimit(query.limit, ORDERS_LIMITS.defaultLimit, ORDERS_LIMITS.maxLimit);
    if (limit === undefined) return { status: 400, body: { error: 'invalid_limit', max: ORDERS_LIMITS.maxLimit } };
    const after = query.cursor === undefined ? 0 : decodeCursor(query.cursor);
    if (after === undefined) return { status: 400, body: { error: 'invalid_cursor' } };
    const page = pageAfter(this.#store.ofCustomer(customerId), (o) => o.order_id, after, limit);
    return { status: 200, body: { data: page.items, next_cursor: page.nextCursor } };
  }

  #batch(rawIds: string, rawLimit: string | undefined): ProviderReply {
    const requested = rawIds.split(',').filter(Boolean);
    if (requested.length > ORDERS_LIMITS.maxCustomerIds) return { status: 400, body: { error: 'too_many_ids', max: ORDERS_LIMITS.maxCustomerIds } };
    const ids = new Set(requested);
    const limit = parseLimit(rawLimit, ORDERS_LIMITS.defaultLimit, ORDERS_LIMITS.maxLimit);
    if (limit === undefined) return { status: 400, body: { error: 'invalid_limit', max: ORDERS_LIMITS.maxLimit } };
    return { status: 200, body: { data: [...ids].flatMap((id) => this.#store.ofCustomer(id).slice(0, limit)) } };
  }

  #place(request: ProviderRequest): ProviderReply {
    const key = request.headers['idempotency-key'];
    if (key === undefined || key === '') return { status: 400, body: { error: 'idempotency_key_required' } };
    const fingerprint = canonicalJson(request.body);
    const previous = this.#store.remembered(key);
    if (previous) {
      return previous.fingerprint === fingerprint
        ? { status: 200, headers: { 'idempotent-replayed': 'true' }, body: previous.order }
        : { status: 409, body: { error: 'idempotency_key_reused' } };
    }
    const parsed = parseNewOrder(request.body);
    if ('status' in parsed) return parsed;
    const order = this.#store.place(parsed, key, fingerprint);
    return { status: 201, headers: { location: `/orders/${order.order_id}` }, body: order };
  }
}

export async function startOrdersProvider(options: OrdersProviderOptions): Promise<OrdersProvider> {
  return new OrdersProvider(options).listen();
}

// Its OAuth2 client credentials are the auth simulator's: it issues the tokens this one checks.
export const simulator = defineSimulator({
  name: 'orders',
  credentials: {},
  create: (world) => new OrdersProvider({ ...world.server, tokens: world.tokens, now: world.now }),
  env: (server) => ({ ORDERS_URL: server.url }),
});

declare module './registry' {
  interface RegisteredSimulators {
    readonly orders: typeof simulator;
  }
}
