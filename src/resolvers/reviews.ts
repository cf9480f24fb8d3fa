// Reviews: the author reference into the accounts provider.
import type { Resolvers } from '../generated/resolvers';
import { referenceField } from './lookahead/reference';

export const reviewsResolvers: Resolvers = {
  Review: {
    author: referenceField({ key: (review) => review.authorId, loader: (ctx) => ctx.loaders.accounts.user }),
  },
};
