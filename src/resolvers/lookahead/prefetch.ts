// Runs a lookahead plan (plan.ts): once a field's value is known, the reference fields selected under
// it are loaded for all of it at once, level by level, before graphql executes the fields below.
// Same keys, same loaders, same batches as execution would make (it reads them from the loaders'
// caches afterwards), but the fields below then resolve synchronously instead of one promise each.
import type { GraphQLResolveInfo } from 'graphql';
import type { GraphQLContext } from '../../server/context';
import { planOf, type Plan } from './plan';

function objectsIn(value: unknown, out: object[]): void {
  if (Array.isArray(value)) for (const item of value) objectsIn(item, out);
  else if (typeof value === 'object' && value !== null && !(value instanceof Error)) out.push(value);
}

/** Runs `plan` over `parents`; the first error of a failed key goes to `failures`. */
async function run(plan: Plan, parents: readonly object[], ctx: GraphQLContext, failures: Error[]): Promise<void> {
  if (parents.length === 0) return;
  await Promise.all(
    plan.steps.map(async (step) => {
      const children: object[] = [];
      const reference = step.reference;
      if (reference === undefined) {
        for (const parent of parents) objectsIn(step.read(parent), children);
      } else {
        const loader = reference.loader(ctx);
        // The planner only puts a reference on parents of the type it was declared for.
        const keys = parents.map((parent) => reference.key(parent as never));
        // loadAll never rejects: a failed key keeps its error for the field's own `load` to report.
        await loader.loadAll(keys);
        for (const key of keys) {
          const loaded = loader.peek(key);
          if (loaded !== undefined) objectsIn(loaded, children);
          else if (failures.length === 0) {
            const failure = loader.failure(key);
            if (failure !== undefined) failures.push(failure);
          }
        }
      }
      if (step.next.steps.length > 0) await run(step.next, children, ctx, failures);
    }),
  );
}

/** `pending`'s value, once the references selected under the field are loaded too. */
export function withLookahead<T>(pending: Promise<T>, ctx: GraphQLContext, info: GraphQLResolveInfo): Promise<T> {
  const plan = planOf(info);
  if (plan.steps.length === 0) return pending;
  return pending.then(async (value) => {
    const parents: object[] = [];
    objectsIn(value, parents);
    const failures: Error[] = [];
    await run(plan, parents, ctx, failures);
    // The client went away while the references loaded: the field fails once, with the cancellation,
    // instead of every field below it failing for nobody (an error, a metric and a log entry each).
    const cancelled = failures[0];
    if (cancelled !== undefined && ctx.call.signal?.aborted === true) throw cancelled;
    return value;
  });
}

type Resolve<TParent, TArgs, TValue> = (parent: TParent, args: TArgs, ctx: GraphQLContext, info: GraphQLResolveInfo) => TValue | Promise<TValue>;

/** A root field's resolver that also loads the references selected under its value (Query.orders). */
export function lookahead<TParent, TArgs, TValue>(resolve: Resolve<TParent, TArgs, TValue>): (parent: TParent, args: TArgs, ctx: GraphQLContext, info: GraphQLResolveInfo) => Promise<TValue> {
  return (parent, args, ctx, info) => withLookahead(Promise.resolve(resolve(parent, args, ctx, info)), ctx, info);
}
