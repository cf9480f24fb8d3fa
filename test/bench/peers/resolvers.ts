// Minimal resolvers for the peers, on the same schema: no protections, no auth (every request acts
// as user-1, the bench's caller), no cursors beyond the page. `batched` fetchers go through one
// DataLoader per entity per request; `naive` ones call the provider once per field (N+1).
import { makeExecutableSchema } from '@graphql-tools/schema';
import DataLoader from 'dataloader';
import type { GraphQLSchema } from 'graphql';
import type { Resolvers } from '../../../src/generated/resolvers';
import { typeDefs } from '../../../src/generated/type-defs';
import type { CallContext } from '../../../src/http/types';
import type { Providers } from '../../../src/providers';
import type { UserModel } from '../../../src/providers/accounts/map';
import type { ProductModel } from '../../../src/providers/catalog/map';
import type { Page } from '../../../src/providers/page';
import type { ReviewModel } from '../../../src/providers/reviews/map';

export const PEER_CALLER = 'user-1';

export interface Fetchers {
  user(id: string): Promise<UserModel | null>;
  product(id: string): Promise<ProductModel | null>;
  reviews(productId: string): Promise<ReviewModel[]>;
}

export interface PeerContext {
  readonly providers: Providers;
  readonly call: CallContext;
  readonly fetch: Fetchers;
}

// The providers put a refusal (an Error) in the place of an id they do not accept.
async function first<T>(items: Promise<readonly T[]>): Promise<Exclude<T, Error> | null> {
  const item = (await items)[0];
  if (item instanceof Error) throw item;
  return (item ?? null) as Exclude<T, Error> | null;
}

export function batchedFetchers(providers: Providers, call: CallContext): Fetchers {
  const users = new DataLoader<string, UserModel | null>((ids) => providers.accounts.getUsers(ids, call), { maxBatchSize: 100 });
  const products = new DataLoader<string, ProductModel | null>((ids) => providers.catalog.getProducts(ids, call), { maxBatchSize: 50 });
  const reviews = new DataLoader<string, ReviewModel[]>((ids) => providers.reviews.getReviewsOfProducts(ids, call), { maxBatchSize: 100 });
  return { user: (id) => users.load(id), product: (id) => products.load(id), reviews: (id) => reviews.load(id) };
}

export function naiveFetchers(providers: Providers, call: CallContext): Fetchers {
  return {
    user: (id) => first(providers.accounts.getUsers([id], call)),
    product: (id) => first(providers.catalog.getProducts([id], call)),
    reviews: async (id) => (await first(providers.reviews.getReviewsOfProducts([id], call))) ?? [],
  };
}

/** A fresh per-request call context (the peers ignore deadlines; the provider clients want one). */
export function peerCall(): CallContext {
  return { requestId: 'peer', deadlineAt: Number.MAX_SAFE_INTEGER };
}

function connection<T>(page: Page<T>) {
  const edges = page.items.map((node, i) => ({ cursor: String(i + 1), node }));
  return { edges, pageInfo: { hasNextPage: page.nextCursor !== null, endCursor: edges.at(-1)?.cursor ?? null } };
}

export const peerResolvers: Resolvers<PeerContext> = {
  Query: {
    ping: () => true,
    me: (_p, _a, ctx) => ctx.fetch.user(PEER_CALLER),
    user: (_p, { id }, ctx) => ctx.fetch.user(id),
    product: (_p, { id }, ctx) => ctx.fetch.product(id),
    products: async (_p, { first: n }, ctx) => connection(await ctx.providers.catalog.listProducts({ first: n }, ctx.call)),
    orders: async (_p, { first: n }, ctx) => connection(await ctx.providers.orders.listOrdersOfCustomer(PEER_CALLER, { first: n }, ctx.call)),
    order: async (_p, { id }, ctx) => first(ctx.providers.orders.getOrders([id], ctx.call)),
  },
  Mutation: {
    noop: () => true,
    placeOrder: (_p, { input, idempotencyKey }, ctx) => ctx.providers.orders.placeOrder(PEER_CALLER, input.lines, idempotencyKey, ctx.call),
  },
  Order: {
    customer: (order, _a, ctx) => ctx.fetch.user(order.customerId),
    lines: (order) => [...order.lines],
  },
  OrderLine: {
    product: (line, _a, ctx) => ctx.fetch.product(line.productId),
  },
  Product: {
    reviews: (product, _a, ctx) => ctx.fetch.reviews(product.id),
    averageRating: async (product, _a, ctx) => {
      const reviews = await ctx.fetch.reviews(product.id);
      return reviews.length === 0 ? null : reviews.reduce((sum, r) => sum + r.rating, 0) / reviews.length;
    },
  },
  Review: {
    author: (review, _a, ctx) => ctx.fetch.user(review.authorId),
  },
  User: {
    orders: async (user, { first: n }, ctx) => (await first(ctx.providers.orders.getOrdersOfCustomers([user.id], n, ctx.call))) ?? [],
  },
};

/** The peers' executable schema (every Yoga peer, Next's route included). */
export function peerSchema(): GraphQLSchema {
  return makeExecutableSchema<PeerContext>({ typeDefs, resolvers: peerResolvers });
}

/** A request's context: fresh call context and per-request loaders (batched) or direct calls (naive). */
export function peerContext(providers: Providers, fetchers: 'batched' | 'naive' = 'batched'): PeerContext {
  const call = peerCall();
  return { providers, call, fetch: (fetchers === 'batched' ? batchedFetchers : naiveFetchers)(providers, call) };
}
