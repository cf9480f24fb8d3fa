// The catalog provider's contract: the batch lookup and the listing, checked against the runtime's schemas.
import { defineContract } from '../contract';
import { productBatchSchema, productPageSchema } from './types';

export const catalogContract = defineContract({
  samples: { productId: 'prod-1' },
  probes: [
    { kind: 'rest', request: ({ productId }) => ({ method: 'GET', path: '/products', route: '/products?ids', query: { ids: productId } }), schema: productBatchSchema },
    { kind: 'rest', request: () => ({ method: 'GET', path: '/products', route: '/products?limit', query: { limit: 2 } }), schema: productPageSchema },
  ],
});
