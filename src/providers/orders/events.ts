// The orders provider's webhook events: an order's status changed → that order's cached answers, and
// every PRIVATE answer of its customer (their order lists; the customer id is the caller's JWT subject).
import { z } from 'zod';
import { eventType, type ProviderEventTypes } from '../provider-events';

const id = z.string().min(1).max(128);

export const ordersEvents: ProviderEventTypes = {
  'order.status_changed': eventType({
    data: z.object({ id, customerId: id }),
    invalidates: (order) => ({ entities: [{ typename: 'Order', id: order.id }], callers: [order.customerId] }),
  }),
};
