// Floor child: the unavoidable part of an order page, in one process, behind node:http. It takes the
// same request (reads and JSON.parses the POST body), makes the order page's 5 provider round trips
// through the peers' clients (plain-providers.ts: our provider clients over a bare undici Pool, so
// JSON.parse, zod checks and mapping of every answer included) in the fewest rounds their data allow
// (orders; then customers, products and reviews at once; then review authors), assembles by hand the
// answer the order page's document asks for (same fields, same size) and JSON.stringifies it. No
// GraphQL, no protections: what any server answering this page has to spend, so every target's
// distance from it is what its own machinery costs.
import { createServer, type IncomingMessage } from 'node:http';
import { buildConfig, loadEnv } from '../../../src/server/config';
import type { Providers } from '../../../src/providers';
import type { UserModel } from '../../../src/providers/accounts/map';
import type { ProductModel } from '../../../src/providers/catalog/map';
import type { ReviewModel } from '../../../src/providers/reviews/map';
import { runChild } from '../child-runtime';
import { listenOnLoopback } from './listen';
import { createPlainProviders } from './plain-providers';
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

async function orderPage(providers: Providers): Promise<unknown> {
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

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

runChild(async () => {
  const { providers, close } = await createPlainProviders(buildConfig(loadEnv()));
  const server = createServer((req, res) => {
    void (async () => {
      try {
        // The request is read and parsed as any server would; its document is not looked at
        // (this process answers the order page, whatever is asked; `{ ping }` is the readiness probe).
        if (req.method === 'POST') JSON.parse(await readBody(req));
        else req.resume();
        const body = JSON.stringify(req.method === 'POST' ? await orderPage(providers) : { data: { ping: true } });
        res.writeHead(200, { 'content-type': 'application/graphql-response+json; charset=utf-8', 'content-length': Buffer.byteLength(body) }).end(body);
      } catch (error) {
        const body = JSON.stringify({ errors: [{ message: error instanceof Error ? error.message : String(error) }] });
        res.writeHead(500, { 'content-type': 'application/json' }).end(body);
      }
    })();
  });
  return listenOnLoopback(server, close);
});
