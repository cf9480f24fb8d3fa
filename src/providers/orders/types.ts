// Wire types of the orders provider (REST, OAuth2) and their runtime schema.
import { z } from 'zod';

export const orderSchema = z.object({
  order_id: z.string(),
  customer_id: z.string(),
  status: z.enum(['PLACED', 'SHIPPED', 'DELIVERED']),
  created_at: z.string(),
  line_items: z.array(z.object({ sku: z.string(), qty: z.number().int(), unit_price_cents: z.number().int() })),
  total_cents: z.number().int(),
});
export type OrderWire = z.infer<typeof orderSchema>;

export const orderPageSchema = z.object({ data: z.array(orderSchema), next_cursor: z.string().nullable() });
export const orderBatchSchema = z.object({ data: z.array(orderSchema) });
