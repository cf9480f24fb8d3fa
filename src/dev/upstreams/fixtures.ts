// The demo world's data: products, users, orders and reviews, generated from a seeded PRNG so
// every run (demo, tests, bench) sees the same values. Shapes are the PROVIDERS' wire shapes.
import { createRandom, pick, randomInt } from './prng';

/** catalog wire shape. */
export interface ProductFixture {
  readonly sku: string;
  readonly name: string;
  /** `amount` is in cents. */
  readonly price: { readonly amount: number; readonly currency: 'EUR' };
  readonly stock_qty: number;
}

/** accounts wire shape. */
export interface AccountFixture {
  readonly id: string;
  readonly displayName: string;
  readonly emailAddress: string;
  /** ISO 8601. */
  readonly createdAt: string;
}

export type OrderStatus = 'PLACED' | 'SHIPPED' | 'DELIVERED';

export interface OrderLineFixture {
  readonly sku: string;
  readonly qty: number;
  readonly unit_price_cents: number;
}

/** orders wire shape. */
export interface OrderFixture {
  readonly order_id: string;
  readonly customer_id: string;
  readonly status: OrderStatus;
  /** ISO 8601; increases with the order number. */
  readonly created_at: string;
  readonly line_items: readonly OrderLineFixture[];
  readonly total_cents: number;
}

/** reviews wire shape (plus the product it belongs to, which the wire nests instead). */
export interface ReviewFixture {
  readonly id: string;
  readonly score: number;
  readonly body: string;
  readonly authorId: string;
}

export const FIXTURE_COUNTS = Object.freeze({ products: 300, users: 100, orders: 400 });

const ADJECTIVES = ['Classic', 'Compact', 'Rugged', 'Silent', 'Smart', 'Vintage', 'Ultra', 'Eco'] as const;
const NOUNS = ['Kettle', 'Backpack', 'Lamp', 'Headphones', 'Mug', 'Chair', 'Notebook', 'Bike Bell'] as const;
const FIRST = ['Ada', 'Linus', 'Grace', 'Alan', 'Margaret', 'Ken', 'Barbara', 'Dennis', 'Frances', 'Edsger'] as const;
const LAST = ['Lovelace', 'Torvalds', 'Hopper', 'Turing', 'Hamilton', 'Thompson', 'Liskov', 'Ritchie'] as const;
const STATUSES = ['PLACED', 'SHIPPED', 'DELIVERED'] as const;
const OPINIONS = ['Works as described.', 'Would buy again.', 'Arrived late.', 'Great value.', 'Not for me.'] as const;
/** Weights for 0..4 reviews per product: mean ≈ 2.7, so well over 600 in total. */
const REVIEW_COUNT_WEIGHTS = [0, 0, 1, 1, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 4] as const;

const DAY_MS = 86_400_000;
const USERS_SINCE = Date.UTC(2022, 0, 1);
const ORDERS_SINCE = Date.UTC(2024, 0, 1);

function generateProducts(): ProductFixture[] {
  const random = createRandom(0xc0ffee);
  return Array.from({ length: FIXTURE_COUNTS.products }, (_, i) =>
    Object.freeze({
      sku: `prod-${i + 1}`,
      name: `${pick(random, ADJECTIVES)} ${pick(random, NOUNS)} ${i + 1}`,
      price: Object.freeze({ amount: randomInt(random, 199, 19_999), currency: 'EUR' as const }),
      stock_qty: randomInt(random, 0, 500),
    }),
  );
}

function generateUsers(): AccountFixture[] {
  const random = createRandom(0xacc0);
  return Array.from({ length: FIXTURE_COUNTS.users }, (_, i) => {
    const first = pick(random, FIRST);
    const last = pick(random, LAST);
    return Object.freeze({
      id: `user-${i + 1}`,
      displayName: `${first} ${last}`,
      emailAddress: `${first}.${last}.${i + 1}@example.test`.toLowerCase(),
      createdAt: new Date(USERS_SINCE + randomInt(random, 0, 3 * 365) * DAY_MS).toISOString(),
    });
  });
}

/** Orders 1, 14, 27, … belong to user-1 (31 orders); user-100 never gets one. */
function customerOf(orderNumber: number, random: () => number): string {
  return orderNumber % 13 === 1 ? 'user-1' : `user-${randomInt(random, 2, FIXTURE_COUNTS.users - 1)}`;
}

function generateOrders(products: readonly ProductFixture[]): OrderFixture[] {
  const random = createRandom(0x04de45);
  return Array.from({ length: FIXTURE_COUNTS.orders }, (_, i) => {
    const customer = customerOf(i + 1, random);
    const lines = Array.from({ length: randomInt(random, 1, 4) }, () => {
      const product = products[randomInt(random, 0, products.length - 1)];
      if (!product) throw new Error('fixture generation: product index out of range');
      return Object.freeze({ sku: product.sku, qty: randomInt(random, 1, 5), unit_price_cents: product.price.amount });
    });
    return Object.freeze({
      order_id: `ord-${i + 1}`,
      customer_id: customer,
      status: pick(random, STATUSES),
      created_at: new Date(ORDERS_SINCE + i * (DAY_MS / 4)).toISOString(),
      line_items: Object.freeze(lines),
      total_cents: lines.reduce((sum, line) => sum + line.qty * line.unit_price_cents, 0),
    });
  });
}

/** prod-1 always has 4 reviews and prod-300 none, so tests have known cases. */
function generateReviews(): Map<string, readonly ReviewFixture[]> {
  const random = createRandom(0x5eed);
  const byProduct = new Map<string, readonly ReviewFixture[]>();
  let next = 1;
  for (let p = 1; p <= FIXTURE_COUNTS.products; p += 1) {
    const drawn = pick(random, REVIEW_COUNT_WEIGHTS);
    const count = p === 1 ? 4 : p === FIXTURE_COUNTS.products ? 0 : drawn;
    const reviews = Array.from({ length: count }, () =>
      Object.freeze({
        id: `rev-${next++}`,
        score: randomInt(random, 1, 5),
        body: `${pick(random, OPINIONS)} ${pick(random, OPINIONS)}`,
        authorId: `user-${randomInt(random, 1, FIXTURE_COUNTS.users)}`,
      }),
    );
    byProduct.set(`prod-${p}`, Object.freeze(reviews));
  }
  return byProduct;
}

function indexBy<T>(items: readonly T[], key: (item: T) => string): ReadonlyMap<string, T> {
  return new Map(items.map((item) => [key(item), item]));
}

function groupOrders(orders: readonly OrderFixture[]): ReadonlyMap<string, readonly OrderFixture[]> {
  const grouped = new Map<string, OrderFixture[]>();
  for (const order of orders) {
    const list = grouped.get(order.customer_id) ?? [];
    list.push(order);
    grouped.set(order.customer_id, list);
  }
  return grouped;
}

const products = Object.freeze(generateProducts());
const users = Object.freeze(generateUsers());
const orders = Object.freeze(generateOrders(products));
const reviewsByProduct = generateReviews();
const productIndex = indexBy(products, (p) => p.sku);
const userIndex = indexBy(users, (u) => u.id);
const orderIndex = indexBy(orders, (o) => o.order_id);
const ordersByCustomer = groupOrders(orders);
const NONE: readonly never[] = Object.freeze([]);

/** Read-only accessors over the generated data; tests compute expected values from these. */
export const fixtures = Object.freeze({
  products,
  users,
  orders,
  /** Every review, in id order. */
  reviews: Object.freeze([...reviewsByProduct.values()].flat()),
  product: (sku: string): ProductFixture | undefined => productIndex.get(sku),
  user: (id: string): AccountFixture | undefined => userIndex.get(id),
  order: (id: string): OrderFixture | undefined => orderIndex.get(id),
  /** The seeded orders of one customer, by ascending order number (not those created via POST). */
  ordersOf: (customerId: string): readonly OrderFixture[] => ordersByCustomer.get(customerId) ?? NONE,
  /** The reviews of one product; empty for unknown ids. */
  reviewsOf: (productId: string): readonly ReviewFixture[] => reviewsByProduct.get(productId) ?? NONE,
});

export type Fixtures = typeof fixtures;
