// A reference field: its value is loaded through one of the request's loaders with a key read from
// the parent (`Order.customer` = `accounts.user(order.customerId)`). Declaring it as data rather than
// as an opaque function lets a root field's lookahead (prefetch.ts) load it for a whole list before
// the list's items are executed; the field then answers synchronously from what was loaded, and
// otherwise (not selected from a root with a lookahead, or under a directive) loads it as before.
import type { GraphQLResolveInfo } from 'graphql';
import type { BatchLoader, Loadable } from '../../providers/batch-loader';
import type { GraphQLContext } from '../../server/context';

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

function register<TParent, TLoaded extends Loadable, TValue>(reference: Reference<TParent, TLoaded>, resolve: ReferenceResolver<TParent, TValue>): ReferenceResolver<TParent, TValue> {
  // Stored with its parent type erased (AnyReference): the planner calls `key` only with parents of
  // the type this field is declared on, and `loader` with the request's context.
  declared.set(resolve, reference);
  return resolve;
}

/** The resolver of a reference field whose value is what was loaded. */
export function referenceField<TParent, TLoaded extends Loadable>(reference: Reference<TParent, TLoaded>): ReferenceResolver<TParent, TLoaded> {
  return register(reference, (parent, _args, ctx) => {
    const loader = reference.loader(ctx);
    const key = reference.key(parent);
    const loaded = loader.peek(key);
    return loaded !== undefined ? loaded : loader.load(key);
  });
}

/** The resolver of a field derived from a reference (a product's average rating from its reviews). */
export function derivedField<TParent, TLoaded extends Loadable, TValue>(reference: Reference<TParent, TLoaded>, map: (loaded: TLoaded) => TValue): ReferenceResolver<TParent, TValue> {
  return register(reference, (parent, _args, ctx) => {
    const loader = reference.loader(ctx);
    const key = reference.key(parent);
    const loaded = loader.peek(key);
    return loaded !== undefined ? map(loaded) : loader.load(key).then(map);
  });
}
