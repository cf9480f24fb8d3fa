// Orders: one by id, the caller's paginated list, placing one; and the cross-provider references.
import { AppError } from '../errors/app-error';
import type { Resolvers } from '../generated/resolvers';
import { connectionOf } from './connection';
import { checkPageSize, notFound, requireCaller } from './guards';
import { passThrough } from './lookahead/pass-through';
import { lookahead } from './lookahead/prefetch';
import { referenceField } from './lookahead/reference';

/** Client idempotency keys: 8-64 URL-safe characters (a UUID fits). */
const IDEMPOTENCY_KEY = /^[A-Za-z0-9_-]{8,64}$/;
const MAX_LINES = 20;
const MAX_QUANTITY = 100;

export const ordersResolvers: Resolvers = {
  Query: {
    order: lookahead(async (_parent, { id }, ctx) => {
      const caller = requireCaller(ctx);
      const order = await ctx.loaders.orders.order.load(id);
      // Another customer's order answers exactly as a missing one: ids are sequential, so a
      // different answer would tell anyone which orders exist.
      if (!order || order.customerId !== caller.id) throw notFound('Order');
      return order;
    }),
    orders: lookahead(async (_parent, { first, after }, ctx) => {
      const caller = requireCaller(ctx);
      return connectionOf({ first: checkPageSize(first), after }, (page) => ctx.loaders.orders.page(caller.id, page));
    }),
  },
  Mutation: {
    placeOrder: async (_parent, { input, idempotencyKey }, ctx) => {
      const caller = requireCaller(ctx);
      if (!IDEMPOTENCY_KEY.test(idempotencyKey)) {
        throw new AppError('BAD_USER_INPUT', '"idempotencyKey" must be 8-64 characters of A-Z, a-z, 0-9, "_" or "-".', {
          extensions: { argument: 'idempotencyKey' },
        });
      }
      if (input.lines.length < 1 || input.lines.length > MAX_LINES) {
        throw new AppError('BAD_USER_INPUT', `An order has 1 to ${MAX_LINES} lines.`, { extensions: { argument: 'input.lines' } });
      }
      if (input.lines.some((l) => !Number.isInteger(l.quantity) || l.quantity < 1 || l.quantity > MAX_QUANTITY)) {
        throw new AppError('BAD_USER_INPUT', `Each quantity is between 1 and ${MAX_QUANTITY}.`, { extensions: { argument: 'input.lines.quantity' } });
      }
      const order = await ctx.providers.orders.placeOrder(caller.id, input.lines, idempotencyKey, ctx.call);
      ctx.loaders.orders.order.prime(order.id, order);
      return order;
    },
  },
  Order: {
    customer: referenceField({ key: (order) => order.customerId, loader: (ctx) => ctx.loaders.accounts.user }),
    lines: passThrough((order) => order.lines),
  },
  OrderLine: {
    product: referenceField({ key: (line) => line.productId, loader: (ctx) => ctx.loaders.catalog.product }),
  },
};
