// Users: the caller (`me`), lookups by id, a user's own orders, and who may read an email (its
// owner, or a token with users:pii: a rule on the object, so it lives here and not in the SDL).
import { holdsScope } from '../auth/scopes';
import { AppError } from '../errors/app-error';
import type { Resolvers } from '../generated/resolvers';
import { checkPageSize, notFound, requireCaller } from './guards';
import { lookahead } from './lookahead/prefetch';

export const accountsResolvers: Resolvers = {
  Query: {
    me: lookahead((_parent, _args, ctx) => ctx.loaders.accounts.user.load(requireCaller(ctx).id)),
    user: lookahead(async (_parent, { id }, ctx) => (await ctx.loaders.accounts.user.load(id)) ?? Promise.reject(notFound('User'))),
  },
  User: {
    email: (user, _args, ctx) => {
      if (requireCaller(ctx).id !== user.id && !holdsScope(ctx.caller, 'users:pii')) {
        throw new AppError('FORBIDDEN', 'Only the user themself, or a token with the users:pii scope, may read this email.');
      }
      return user.email;
    },
    orders: (user, { first }, ctx) => {
      if (requireCaller(ctx).id !== user.id) throw new AppError('FORBIDDEN', "Only a user may see their own orders.");
      return ctx.loaders.orders.ofCustomer(checkPageSize(first ?? 10)).load(user.id);
    },
  },
};
