// orders wire shape → our Order model (the mapper codegen points `Order`/`OrderLine` to).
import type { OrderWire } from './types';

export interface OrderLineModel {
  readonly productId: string;
  readonly quantity: number;
  readonly unitPriceCents: number;
}

export interface OrderModel {
  readonly id: string;
  readonly customerId: string;
  readonly status: 'PLACED' | 'SHIPPED' | 'DELIVERED';
  readonly placedAt: string;
  readonly totalCents: number;
  readonly lines: readonly OrderLineModel[];
}

export function toOrder(wire: OrderWire): OrderModel {
  return {
    id: wire.order_id,
    customerId: wire.customer_id,
    status: wire.status,
    placedAt: wire.created_at,
    totalCents: wire.total_cents,
    lines: wire.line_items.map((l) => ({ productId: l.sku, quantity: l.qty, unitPriceCents: l.unit_price_cents })),
  };
}
