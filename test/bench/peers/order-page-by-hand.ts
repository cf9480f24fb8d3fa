// The order page assembled by hand from the providers, with no GraphQL: the floor's answer (floor.ts)
// and the reference the execution bench (execution.ts) compares graphql-jit and graphql-js with. The
// fewest provider rounds the data allow (orders; then customers, the catalog batch and the reviews at
// once; then the review authors), and the exact answer the order page's document asks for (same
// fields, same order, byte for byte yoga-plain's, checked by the bench's calibration).
import type { Providers } from '../../../src/providers';
import type { UserModel } from '../../../src/providers/accounts/map';
import type { ProductModel } from '../../../src/providers/catalog/map';
import type { ReviewModel } from '../../../src/providers/reviews/map';
import { PEER_CALLER, peerCall } from './resolvers';

/** `orders(first: 20)` of the order page's document. */
const PAGE_SIZE = 20;

function byId<T extends { readonly id: string }>(items: readonly (T | null | Error)[]): Map<string, T> {
  const out = new Map<string, T>();
  for (const item of items) {
    if (item instanceof Error) throw item;
    if (item !== null) out.set(item.id, item);
  }
  return out;
}

const unique = (ids: Iterable<string>) => [...new Set(ids)];

const user = (u: UserModel | undefined) => (u === undefined ? null : { __typename: 'User', id: u.id, name: u.name });

/** The order page's answer (`{ data }`), from the providers' answers. */
export async function orderPageByHand(providers: Providers): Promise<unknown> {
  const call = peerCall();
  const page = await providers.orders.listOrdersOfCustomer(PEER_CALLER, { first: PAGE_SIZE }, call);
  const productIds = unique(page.items.flatMap((o) => o.lines.map((l) => l.productId)));
  const [customers, products, reviewLists] = await Promise.all([
    providers.accounts.getUsers(unique(page.items.map((o) => o.customerId)), call).then((users) => byId<UserModel>(users)),
    providers.catalog.getProducts(productIds, call).then((items) => byId<ProductModel>(items)),
    providers.reviews.getReviewsOfProducts(productIds, call),
  ]);
  const reviewsOf = new Map<string, ReviewModel[]>();
  for (const [i, list] of reviewLists.entries()) {
    if (list instanceof Error) throw list;
    reviewsOf.set(productIds[i] ?? '', list);
  }
  const authors = byId<UserModel>(await providers.accounts.getUsers(unique([...reviewsOf.values()].flatMap((rs) => rs.map((r) => r.authorId))), call));
  const product = (p: ProductModel | undefined) => {
    if (p === undefined) return null;
    const reviews = reviewsOf.get(p.id) ?? [];
    return {
      __typename: 'Product',
      reviews: reviews.map((r) => ({ __typename: 'Review', author: user(authors.get(r.authorId)), body: r.body, id: r.id, rating: r.rating })),
      averageRating: reviews.length === 0 ? null : reviews.reduce((sum, r) => sum + r.rating, 0) / reviews.length,
      currency: p.currency,
      id: p.id,
      priceCents: p.priceCents,
      title: p.title,
    };
  };
  const edges = page.items.map((o) => ({
    __typename: 'OrderEdge',
    node: {
      __typename: 'Order',
      customer: user(customers.get(o.customerId)),
      lines: o.lines.map((l) => ({ __typename: 'OrderLine', product: product(products.get(l.productId)), quantity: l.quantity, unitPriceCents: l.unitPriceCents })),
      id: o.id,
      placedAt: o.placedAt,
      status: o.status,
      totalCents: o.totalCents,
    },
  }));
  return {
    data: {
      orders: {
        __typename: 'OrderConnection',
        edges,
        pageInfo: { __typename: 'PageInfo', endCursor: edges.length > 0 ? String(edges.length) : null, hasNextPage: page.nextCursor !== null },
      },
    },
  };
}
