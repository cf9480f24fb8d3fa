// Runs a lookahead plan (plan.ts): once a root field's value is known, the reference fields selected
// under it are loaded for all of it at once, level by level, before graphql executes the fields below.
// Same keys, same loaders, batched per tick as DataLoader batches them (BatchLoader.loadAll), but the
// fields below then resolve synchronously (`peek`) instead of one promise each.
import type { GraphQLResolveInfo } from 'graphql';
import { AppError } from '../../errors/app-error';
import type { GraphQLContext } from '../../server/context';
import { planOf, type Plan } from './plan';

/** The objects a value holds: itself, or the items of a list (nested lists too). Nothing else is followed. */
function objectsIn(value: unknown, out: object[]): void {
  if (Array.isArray(value)) {
    for (const item of value) objectsIn(item, out);
    return;
  }
  if (typeof value !== 'object' || value === null || value instanceof Error) return;
  // A promise or another iterable is left to execution: the plan only reads plain objects and arrays.
  if (typeof Reflect.get(value, 'then') === 'function' || Symbol.iterator in value) return;
  out.push(value);
}

async function run(plan: Plan, parents: readonly object[], ctx: GraphQLContext): Promise<void> {
  if (parents.length === 0) return;
  await Promise.all(
    plan.steps.map(async (step) => {
      const children: object[] = [];
      const { reference, read } = step;
      if (read !== undefined) {
        for (const parent of parents) objectsIn(read(parent), children);
      } else {
        const loader = reference.loader(ctx);
        // The planner only puts a reference on parents of the object type it was declared on.
        const keys = parents.map((parent) => reference.key(parent as never));
        // loadAll never rejects: a failed key keeps its error for the field's own `load` to report.
        await loader.loadAll(keys);
        for (const key of keys) objectsIn(loader.peek(key), children);
      }
      if (step.next.steps.length > 0) await run(step.next, children, ctx);
    }),
  );
}

type Resolve<TParent, TArgs, TValue> = (parent: TParent, args: TArgs, ctx: GraphQLContext, info: GraphQLResolveInfo) => TValue | Promise<TValue>;

/**
 * A root field's resolver that also loads the references selected under its value (Query.orders).
 * A client that went away meanwhile ends the field with one cancellation error, instead of every
 * field below it failing for nobody (an error object, a metric and a log entry each).
 */
export function lookahead<TParent, TArgs, TValue>(resolve: Resolve<TParent, TArgs, TValue>): (parent: TParent, args: TArgs, ctx: GraphQLContext, info: GraphQLResolveInfo) => Promise<TValue> {
  return async (parent, args, ctx, info) => {
    const value = await resolve(parent, args, ctx, info);
    const plan = planOf(info);
    if (plan.steps.length === 0) return value;
    const parents: object[] = [];
    objectsIn(value, parents);
    await run(plan, parents, ctx);
    if (ctx.call.signal?.aborted === true) {
      throw new AppError('UPSTREAM_TIMEOUT', 'The request was cancelled: its client went away.', { meta: { reason: 'cancelled' } });
    }
    return value;
  };
}
