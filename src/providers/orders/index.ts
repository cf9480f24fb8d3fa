// The orders provider (REST, OAuth2 client credentials): orders by id and by customer, batched; a
// customer's pages; placing an order (a mutation: through ctx.providers, never batched).
import DataLoader from 'dataloader';
import { providerVariable } from '../../config/provider-variables';
import { defineProvider } from '../define-provider';
import type { Page } from '../page';
import { createOrdersProvider } from './client';
import { ordersEvents } from './events';
import { ordersContract } from './probes';
import type { OrderModel } from './map';

export const orders = defineProvider({
  name: 'orders',
  env: {
    ORDERS_URL: providerVariable.url(),
    ORDERS_TOKEN_URL: providerVariable.url(),
    ORDERS_CLIENT_ID: providerVariable.text('the OAuth2 client id'),
    ORDERS_CLIENT_SECRET: providerVariable.secret(),
    ORDERS_WEBHOOK_SECRET: providerVariable.optionalSecret(),
    ORDERS_WEBHOOK_SECRET_PREVIOUS: providerVariable.optionalSecret(),
  },
  config: (env) => ({
    baseUrl: env.ORDERS_URL,
    auth: { kind: 'oauth2', tokenUrl: env.ORDERS_TOKEN_URL, clientId: env.ORDERS_CLIENT_ID, clientSecret: env.ORDERS_CLIENT_SECRET, scope: 'read:orders write:orders' },
    maxBatchSize: 50,
    webhookSecrets: [env.ORDERS_WEBHOOK_SECRET, env.ORDERS_WEBHOOK_SECRET_PREVIOUS],
  }),
  events: ordersEvents,
  client: createOrdersProvider,
  contract: ordersContract,
  loaders: (client, { maxBatchSize, call }) => {
    const order = new DataLoader<string, OrderModel | null>((ids) => client.getOrders(ids, call), { maxBatchSize, name: 'orders.order' });
    const byFirst = new Map<number, DataLoader<string, OrderModel[]>>();
    return {
      order,
      /** The latest `first` orders of a customer; one loader per distinct `first` in the request. */
      ofCustomer(first: number): DataLoader<string, OrderModel[]> {
        let loader = byFirst.get(first);
        if (!loader) {
          loader = new DataLoader<string, OrderModel[]>((ids) => client.getOrdersOfCustomers(ids, first, call), { maxBatchSize, name: 'orders.ofCustomer' });
          byFirst.set(first, loader);
        }
        return loader;
      },
      /** Not batched (one per field); its items warm `order`, so a later `order(id)` costs no call. */
      async page(customerId: string, page: { first: number; after?: string | undefined }): Promise<Page<OrderModel>> {
        const result = await client.listOrdersOfCustomer(customerId, page, call);
        for (const item of result.items) order.prime(item.id, item);
        return result;
      },
    };
  },
});
