// createLoaders: a fresh set of DataLoaders per GraphQL request (never shared between callers),
// one batch per provider per level of the query, chunked at each provider's max batch size.
import DataLoader from 'dataloader';
import type { CallContext } from '../http/types';
import type { Providers } from '../providers';
import type { UserModel } from '../providers/accounts/map';
import type { ProductModel } from '../providers/catalog/map';
import type { OrderModel } from '../providers/orders/map';
import type { Page } from '../providers/page';
import type { ReviewModel } from '../providers/reviews/map';

export interface BatchSizes {
  readonly orders: number;
  readonly catalog: number;
  readonly accounts: number;
  readonly reviews: number;
}

export interface Loaders {
  readonly userById: DataLoader<string, UserModel | null>;
  readonly productById: DataLoader<string, ProductModel | null>;
  readonly reviewsByProductId: DataLoader<string, ReviewModel[]>;
  readonly orderById: DataLoader<string, OrderModel | null>;
  /** The latest `first` orders of a customer; one loader per distinct `first` in the request. */
  ordersOfCustomer(first: number): DataLoader<string, OrderModel[]>;
  ordersPage(customerId: string, page: { first: number; after?: string | undefined }): Promise<Page<OrderModel>>;
  productsPage(page: { first: number; after?: string | undefined }): Promise<Page<ProductModel>>;
}

export function createLoaders(providers: Providers, batchSizes: BatchSizes, ctx: CallContext): Loaders {
  const byCustomer = new Map<number, DataLoader<string, OrderModel[]>>();
  const productById = new DataLoader<string, ProductModel | null>((ids) => providers.catalog.getProducts(ids, ctx), {
    maxBatchSize: batchSizes.catalog,
    name: 'productById',
  });
  const orderById = new DataLoader<string, OrderModel | null>((ids) => providers.orders.getOrders(ids, ctx), {
    maxBatchSize: batchSizes.orders,
    name: 'orderById',
  });
  return {
    userById: new DataLoader<string, UserModel | null>((ids) => providers.accounts.getUsers(ids, ctx), { maxBatchSize: batchSizes.accounts, name: 'userById' }),
    productById,
    reviewsByProductId: new DataLoader<string, ReviewModel[]>((ids) => providers.reviews.getReviewsOfProducts(ids, ctx), {
      maxBatchSize: batchSizes.reviews,
      name: 'reviewsByProductId',
    }),
    orderById,
    ordersOfCustomer(first) {
      let loader = byCustomer.get(first);
      if (!loader) {
        loader = new DataLoader<string, OrderModel[]>((ids) => providers.orders.getOrdersOfCustomers(ids, first, ctx), {
          maxBatchSize: batchSizes.orders,
          name: 'ordersOfCustomer',
        });
        byCustomer.set(first, loader);
      }
      return loader;
    },
    // Pages are not batched (one per field), but their items warm the by-id loaders so that a
    // later `order(id)` or `product(id)` in the same request costs no extra call.
    async ordersPage(customerId, page) {
      const result = await providers.orders.listOrdersOfCustomer(customerId, page, ctx);
      for (const order of result.items) orderById.prime(order.id, order);
      return result;
    },
    async productsPage(page) {
      const result = await providers.catalog.listProducts(page, ctx);
      for (const product of result.items) productById.prime(product.id, product);
      return result;
    },
  };
}
