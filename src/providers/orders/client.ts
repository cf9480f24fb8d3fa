// The orders provider (REST, OAuth2 client credentials): orders by id, by customer, and placing one.
import { AppError, upstreamError } from '../../errors/app-error';
import type { CallContext, ProviderHttpClient } from '../../http/types';
import { fetchAccepted, idRule } from '../id-rule';
import type { Page } from '../page';
import { parseWire } from '../parse';
import { customerIdempotencyKey } from './idempotency-key';
import { toOrder, type OrderModel } from './map';
import { orderBatchSchema, orderPageSchema, orderSchema } from './types';

/** Order ids go into the path (`/orders/ord-17`). */
export const ORDER_ID = idRule({ label: 'order id', maxLength: 64 });
/** Customer ids (our user ids, `user-3`) go into `customer_id=` and the comma-separated `customer_ids=`. */
export const ORDER_CUSTOMER_ID = idRule({ label: 'customer id', maxLength: 64 });
/** Product ids of placed lines (`prod-9`), sent as `sku`. */
export const ORDER_LINE_SKU = idRule({ label: 'product id', maxLength: 64 });

export interface PlaceOrderLine {
  readonly productId: string;
  readonly quantity: number;
}

export interface OrdersProvider {
  /** Orders in the order of `ids`; null where the provider answers 404; BAD_USER_INPUT, never sent, where ORDER_ID refuses the id. */
  getOrders(ids: readonly string[], ctx: CallContext): Promise<(OrderModel | null | AppError)[]>;
  listOrdersOfCustomer(customerId: string, page: { first: number; after?: string | undefined }, ctx: CallContext): Promise<Page<OrderModel>>;
  /** The latest `limitPerCustomer` orders of each customer, in the order of `customerIds`; BAD_USER_INPUT where ORDER_CUSTOMER_ID refuses one. */
  getOrdersOfCustomers(customerIds: readonly string[], limitPerCustomer: number, ctx: CallContext): Promise<(OrderModel[] | AppError)[]>;
  /** The provider receives `idempotencyKey` scoped to the customer (customerIdempotencyKey), never as the client sent it. */
  placeOrder(customerId: string, lines: readonly PlaceOrderLine[], idempotencyKey: string, ctx: CallContext): Promise<OrderModel>;
}

export function createOrdersProvider(http: ProviderHttpClient): OrdersProvider {
  const provider = http.provider;

  // The provider has no batch-by-id endpoint; ids are fetched in parallel (at most one call per id
  // per request, deduplicated by the loader) and throttled by the upstream core.
  async function getOrder(id: string, ctx: CallContext): Promise<OrderModel | null> {
    const route = '/orders/:id';
    const response = await http.request({ method: 'GET', path: `/orders/${encodeURIComponent(id)}`, route }, ctx);
    if (response.status === 404) return null;
    expectStatus(response.status, 200, provider, route);
    return toOrder(parseWire(orderSchema, response.body, provider, route));
  }

  async function getOrdersOfCustomers(customerIds: readonly string[], limitPerCustomer: number, ctx: CallContext): Promise<OrderModel[][]> {
    const route = '/orders?customer_ids';
    const response = await http.request(
      { method: 'GET', path: '/orders', route, query: { customer_ids: customerIds.join(','), limit_per_customer: limitPerCustomer } },
      ctx,
    );
    expectStatus(response.status, 200, provider, route);
    const { data } = parseWire(orderBatchSchema, response.body, provider, route);
    const byCustomer = new Map<string, OrderModel[]>(customerIds.map((id) => [id, []]));
    for (const wire of data) byCustomer.get(wire.customer_id)?.push(toOrder(wire));
    return customerIds.map((id) => byCustomer.get(id) ?? []);
  }

  return {
    getOrders: (ids, ctx) => fetchAccepted(ORDER_ID, ids, (accepted) => Promise.all(accepted.map((id) => getOrder(id, ctx)))),

    async listOrdersOfCustomer(customerId, { first, after }, ctx) {
      ORDER_CUSTOMER_ID.check(customerId);
      const route = '/orders?customer_id';
      const response = await http.request(
        { method: 'GET', path: '/orders', route, query: { customer_id: customerId, limit: first, cursor: after } },
        ctx,
      );
      expectStatus(response.status, 200, provider, route);
      const page = parseWire(orderPageSchema, response.body, provider, route);
      return { items: page.data.map(toOrder), nextCursor: page.next_cursor };
    },

    getOrdersOfCustomers: (customerIds, limitPerCustomer, ctx) =>
      fetchAccepted(ORDER_CUSTOMER_ID, customerIds, (accepted) => getOrdersOfCustomers(accepted, limitPerCustomer, ctx)),

    async placeOrder(customerId, lines, idempotencyKey, ctx) {
      ORDER_CUSTOMER_ID.check(customerId);
      for (const line of lines) ORDER_LINE_SKU.check(line.productId, 'input.lines.productId');
      const route = '/orders';
      const body = { customer_id: customerId, line_items: lines.map((l) => ({ sku: l.productId, qty: l.quantity })) };
      const scopedKey = customerIdempotencyKey(customerId, idempotencyKey);
      const response = await http.request({ method: 'POST', path: '/orders', route, body, idempotencyKey: scopedKey }, ctx);
      if (response.status === 409) throw new AppError('IDEMPOTENCY_KEY_REUSED', undefined, { meta: { provider } });
      if (response.status === 422 || response.status === 400) {
        throw new AppError('BAD_USER_INPUT', 'The order was refused: check the product ids and quantities.', { meta: { provider, body: response.body } });
      }
      if (response.status !== 200 && response.status !== 201) expectStatus(response.status, 201, provider, route);
      return toOrder(parseWire(orderSchema, response.body, provider, route));
    },
  };
}

function expectStatus(actual: number, expected: number, provider: string, route: string): void {
  if (actual !== expected) throw upstreamError('UPSTREAM_BAD_RESPONSE', provider, { meta: { route, status: actual } });
}
