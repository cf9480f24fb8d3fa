// The orders provider's state: seeded orders plus those placed via POST, and the idempotency keys
// it remembers (per process, like a real service's key store).
import { fixtures, type OrderFixture, type OrderLineFixture } from './fixtures';

export interface NewOrder {
  readonly customerId: string;
  readonly lines: readonly { readonly sku: string; readonly qty: number }[];
}

export interface RememberedWrite {
  /** Canonical JSON of the request body the key was first used with. */
  readonly fingerprint: string;
  readonly order: OrderFixture;
}

/** JSON with object keys sorted, so the same payload always has the same fingerprint. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export function createOrderStore(now: () => number) {
  const byId = new Map<string, OrderFixture>(fixtures.orders.map((o) => [o.order_id, o]));
  const byCustomer = new Map<string, OrderFixture[]>();
  for (const order of fixtures.orders) {
    const list = byCustomer.get(order.customer_id) ?? [];
    list.push(order);
    byCustomer.set(order.customer_id, list);
  }
  const created: OrderFixture[] = [];
  const keys = new Map<string, RememberedWrite>();
  let nextNumber = fixtures.orders.length + 1;

  return {
    get: (id: string): OrderFixture | undefined => byId.get(id),
    /** Ascending by order number; orders placed later come last. */
    ofCustomer: (customerId: string): readonly OrderFixture[] => byCustomer.get(customerId) ?? [],
    created: (): readonly OrderFixture[] => [...created],
    remembered: (key: string): RememberedWrite | undefined => keys.get(key),
    /** Prices come from the catalogue fixtures; the caller has validated every sku. */
    place(order: NewOrder, key: string, fingerprint: string): OrderFixture {
      const lines: OrderLineFixture[] = order.lines.map(({ sku, qty }) => ({
        sku,
        qty,
        unit_price_cents: fixtures.product(sku)?.price.amount ?? 0,
      }));
      const placed: OrderFixture = Object.freeze({
        order_id: `ord-${nextNumber++}`,
        customer_id: order.customerId,
        status: 'PLACED',
        created_at: new Date(now()).toISOString(),
        line_items: lines,
        total_cents: lines.reduce((sum, line) => sum + line.qty * line.unit_price_cents, 0),
      });
      byId.set(placed.order_id, placed);
      const list = byCustomer.get(placed.customer_id) ?? [];
      list.push(placed);
      byCustomer.set(placed.customer_id, list);
      created.push(placed);
      keys.set(key, { fingerprint, order: placed });
      return placed;
    },
  };
}

export type OrderStore = ReturnType<typeof createOrderStore>;
