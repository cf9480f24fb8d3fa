// A plain field whose resolver only reads its parent (`Order.lines`): the lookahead may walk through
// it to the references below, reading the same value the resolver answers.
const getters = new WeakMap<object, (parent: object) => unknown>();

export function plainGetterOf(resolver: unknown): ((parent: object) => unknown) | undefined {
  return typeof resolver === 'function' ? getters.get(resolver) : undefined;
}

/** The resolver of a field that answers a copy of what `read` returns from its parent. */
export function passThrough<TParent extends object, TItem>(read: (parent: TParent) => readonly TItem[]): (parent: TParent) => TItem[] {
  const resolve = (parent: TParent): TItem[] => [...read(parent)];
  // Called by the planner only with parents of this field's type (planOn walks the schema's types).
  getters.set(resolve, read as (parent: object) => unknown);
  return resolve;
}
