// The demo world's fixtures: sizes, invariants and the known cases other tests rely on.
import { describe, expect, it } from 'vitest';
import { fixtures } from '../../src/dev/upstreams';

describe('upstream fixtures', () => {
  it('has 300 products, 100 users, 400 orders and at least 600 reviews', () => {
    expect(fixtures.products).toHaveLength(300);
    expect(fixtures.users).toHaveLength(100);
    expect(fixtures.orders).toHaveLength(400);
    expect(fixtures.reviews.length).toBeGreaterThanOrEqual(600);
    expect(fixtures.products[0]?.sku).toBe('prod-1');
    expect(fixtures.orders[399]?.order_id).toBe('ord-400');
  });

  it('gives user-1 at least 25 orders and user-100 none', () => {
    expect(fixtures.ordersOf('user-1')).toHaveLength(31);
    expect(fixtures.ordersOf('user-100')).toHaveLength(0);
    expect(fixtures.ordersOf('user-1').every((o) => o.customer_id === 'user-1')).toBe(true);
  });

  it('prices every order line from the catalogue and totals it', () => {
    for (const order of fixtures.orders) {
      expect(order.line_items.length).toBeGreaterThanOrEqual(1);
      expect(order.line_items.length).toBeLessThanOrEqual(4);
      for (const line of order.line_items) expect(line.unit_price_cents).toBe(fixtures.product(line.sku)?.price.amount);
      expect(order.total_cents).toBe(order.line_items.reduce((s, l) => s + l.qty * l.unit_price_cents, 0));
    }
  });

  it('gives every product 0 to 4 reviews, prod-1 four and prod-300 none', () => {
    const counts = fixtures.products.map((p) => fixtures.reviewsOf(p.sku).length);
    expect(Math.min(...counts)).toBe(0);
    expect(Math.max(...counts)).toBe(4);
    expect(fixtures.reviewsOf('prod-1')).toHaveLength(4);
    expect(fixtures.reviewsOf('prod-300')).toHaveLength(0);
    expect(new Set(fixtures.reviews.map((r) => r.id)).size).toBe(fixtures.reviews.length);
    expect(fixtures.reviews.every((r) => r.score >= 1 && r.score <= 5 && fixtures.user(r.authorId) !== undefined)).toBe(true);
  });

  it('is deterministic across runs (seeded values)', () => {
    expect(fixtures.product('prod-1')).toMatchInlineSnapshot(`
      {
        "name": "Classic Chair 1",
        "price": {
          "amount": 15643,
          "currency": "EUR",
        },
        "sku": "prod-1",
        "stock_qty": 370,
      }
    `);
    expect(fixtures.user('user-1')).toMatchInlineSnapshot(`
      {
        "createdAt": "2022-02-19T00:00:00.000Z",
        "displayName": "Barbara Thompson",
        "emailAddress": "barbara.thompson.1@example.test",
        "id": "user-1",
      }
    `);
  });
});
