// Products: one by id, the paginated catalogue, and their reviews from the reviews provider.
import type { Resolvers } from '../generated/resolvers';
import { connectionOf } from './connection';
import { checkPageSize, notFound } from './guards';

export const catalogResolvers: Resolvers = {
  Query: {
    product: async (_parent, { id }, ctx) => (await ctx.loaders.catalog.product.load(id)) ?? Promise.reject(notFound('Product')),
    products: (_parent, { first, after }, ctx) =>
      connectionOf({ first: checkPageSize(first), after }, (page) => ctx.loaders.catalog.page(page)),
  },
  Product: {
    reviews: (product, _args, ctx) => ctx.loaders.reviews.ofProduct.load(product.id),
    averageRating: async (product, _args, ctx) => {
      const reviews = await ctx.loaders.reviews.ofProduct.load(product.id);
      if (reviews.length === 0) return null;
      const mean = reviews.reduce((sum, r) => sum + r.rating, 0) / reviews.length;
      return Math.round(mean * 100) / 100;
    },
  },
};
