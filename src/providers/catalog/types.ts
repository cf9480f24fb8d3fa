// Wire types of the catalog provider (REST) and their runtime schema.
import { z } from 'zod';

export const productSchema = z.object({
  sku: z.string(),
  name: z.string(),
  price: z.object({ amount: z.number().int(), currency: z.string() }),
  stock_qty: z.number().int(),
});
export type ProductWire = z.infer<typeof productSchema>;

export const productBatchSchema = z.object({ items: z.array(productSchema) });
export const productPageSchema = z.object({ items: z.array(productSchema), next_cursor: z.string().nullable() });
