// Products: one by id, the paginated catalogue, and their reviews from the reviews provider.
import type { Resolvers } from '../generated/resolvers';
import type { ReviewModel } from '../providers/reviews/map';
import type { GraphQLContext } from '../server/context';
import { connectionOf } from './connection';
import { checkPageSize, notFound } from './guards';
import { lookahead } from './lookahead/prefetch';
import { derivedField, referenceField } from './lookahead/reference';

const reviewsOfProduct = { key: (product: { readonly id: string }) => product.id, loader: (ctx: GraphQLContext) => ctx.loaders.reviews.ofProduct };

/** The mean rating to two decimals; null without reviews. */
function averageRating(reviews: readonly ReviewModel[]): number | null {
  if (reviews.length === 0) return null;
  const mean = reviews.reduce((sum, r) => sum + r.rating, 0) / reviews.length;
  return Math.round(mean * 100) / 100;
}

export const catalogResolvers: Resolvers = {
  Query: {
    product: lookahead(async (_parent, { id }, ctx) => (await ctx.loaders.catalog.product.load(id)) ?? Promise.reject(notFound('Product'))),
    products: lookahead((_parent, { first, after }, ctx) =>
      connectionOf({ first: checkPageSize(first), after }, (page) => ctx.loaders.catalog.page(page))),
  },
  Product: {
    reviews: referenceField(reviewsOfProduct),
    averageRating: derivedField(reviewsOfProduct, averageRating),
  },
};
