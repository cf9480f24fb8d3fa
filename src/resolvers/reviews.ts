// Reviews: the author reference into the accounts provider.
import type { Resolvers } from '../generated/resolvers';

export const reviewsResolvers: Resolvers = {
  Review: {
    author: (review, _args, ctx) => ctx.loaders.accounts.user.load(review.authorId),
  },
};
