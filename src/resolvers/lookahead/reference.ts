// A reference field: its value is loaded through one of the request's DataLoaders with a key read
// from the parent (`Order.customer` = `accounts.user(order.customerId)`). Declaring it as data rather
// than as an opaque function lets the lookahead (prefetch.ts) load it for a whole list before the
// fields under that list are executed, and lets the field then answer synchronously.
import type { GraphQLResolveInfo } from 'graphql';
import type { BatchLoader, Loadable } from '../../providers/batch-loader';
import type { GraphQLContext } from '../../server/context';
import { withLookahead } from './prefetch';

export interface Reference<TParent, TLoaded extends Loadable> {
  /** The loader key of a parent object. */
  readonly key: (parent: TParent) => string;
  /** The request's loader the key is read from. */
  readonly loader: (ctx: GraphQLContext) => BatchLoader<TLoaded>;
}

/** A reference as the planner stores it: the parent type is only known where it was declared. */
export type AnyReference = Reference<never, Loadable>;

type ReferenceResolver<TParent, TValue> = (parent: TParent, args: unknown, ctx: GraphQLContext, info: GraphQLResolveInfo) => TValue | Promise<TValue>;

const declared = new WeakMap<object, AnyReference>();

/** The reference a resolver function was declared with (indexed by resolvers/index.ts). */
export function referenceOf(resolver: unknown): AnyReference | undefined {
  return typeof resolver === 'function' ? declared.get(resolver) : undefined;
}

/**
 * The resolver of a reference field. `map` derives the field's value from what was loaded (a
 * product's average rating from its reviews); without it the field is what was loaded.
 */
export function referenceField<TParent, TLoaded extends Loadable, TValue = TLoaded>(
  reference: Reference<TParent, TLoaded>,
  map?: (loaded: TLoaded) => TValue,
): ReferenceResolver<TParent, TValue> {
  const derive = map ?? ((loaded: TLoaded) => loaded as unknown as TValue);
  const resolve: ReferenceResolver<TParent, TValue> = (parent, _args, ctx, info) => {
    const loader = reference.loader(ctx);
    const key = reference.key(parent);
    const loaded = loader.peek(key);
    if (loaded !== undefined) return derive(loaded);
    return withLookahead(loader.load(key), ctx, info).then(derive);
  };
  declared.set(resolve, reference as unknown as AnyReference);
  return resolve;
}
