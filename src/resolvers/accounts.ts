// Users: the caller (`me`), lookups by id, and a user's own orders.
import { AppError } from '../errors/app-error';
import type { Resolvers } from '../generated/resolvers';
import { checkPageSize, notFound, requireCaller } from './guards';

export const accountsResolvers: Resolvers = {
  Query: {
    me: (_parent, _args, ctx) => ctx.loaders.userById.load(requireCaller(ctx).id),
    user: async (_parent, { id }, ctx) => (await ctx.loaders.userById.load(id)) ?? Promise.reject(notFound('User')),
  },
  User: {
    orders: (user, { first }, ctx) => {
      if (requireCaller(ctx).id !== user.id) throw new AppError('FORBIDDEN', "Only a user may see their own orders.");
      return ctx.loaders.ordersOfCustomer(checkPageSize(first ?? 10)).load(user.id);
    },
  },
};
