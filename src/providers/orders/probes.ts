// The orders provider's contract: its three reads (by id, a customer's page, customers' batch), checked
// against the runtime's schemas; the POST answers with the same order shape and is never probed (a write).
import { defineContract } from '../contract';
import { orderBatchSchema, orderPageSchema, orderSchema } from './types';

export const ordersContract = defineContract({
  samples: { orderId: 'ord-1', customerId: 'user-1' },
  probes: [
    { kind: 'rest', request: ({ orderId }) => ({ method: 'GET', path: `/orders/${encodeURIComponent(orderId)}`, route: '/orders/:id' }), schema: orderSchema },
    {
      kind: 'rest',
      request: ({ customerId }) => ({ method: 'GET', path: '/orders', route: '/orders?customer_id', query: { customer_id: customerId, limit: 2 } }),
      schema: orderPageSchema,
    },
    {
      kind: 'rest',
      request: ({ customerId }) => ({ method: 'GET', path: '/orders', route: '/orders?customer_ids', query: { customer_ids: customerId, limit_per_customer: 2 } }),
      schema: orderBatchSchema,
    },
  ],
});
