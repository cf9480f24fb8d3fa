// The catalog's webhook events: a product changed (price, title, stock) → every cached answer holding it.
import { z } from 'zod';
import { eventType, type ProviderEventTypes } from '../provider-events';

// The catalog's ids are its SKUs, which the schema's Product.id is (map.ts); bounded like any id we key on.
const productId = z.string().min(1).max(128);

export const catalogEvents: ProviderEventTypes = {
  'product.updated': eventType({
    data: z.object({ id: productId }),
    invalidates: ({ id }) => ({ entities: [{ typename: 'Product', id }] }),
  }),
};
