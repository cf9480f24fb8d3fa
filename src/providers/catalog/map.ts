// catalog wire shape → our Product model (the mapper codegen points `Product` to).
import type { ProductWire } from './types';

export interface ProductModel {
  readonly id: string;
  readonly title: string;
  readonly priceCents: number;
  readonly currency: string;
  readonly inStock: boolean;
}

export function toProduct(wire: ProductWire): ProductModel {
  return { id: wire.sku, title: wire.name, priceCents: wire.price.amount, currency: wire.price.currency, inStock: wire.stock_qty > 0 };
}
