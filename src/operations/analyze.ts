// The shape of a document that the operation limits judge: depth, aliases, root fields and
// directives, counted through fragment spreads and inline fragments. One linear pass: each fragment
// is measured once (memoised), so a fragment spread a million times costs nothing extra, and a
// fragment cycle is cut (counted once) instead of recursing forever; validation reports the cycle.
//
// Why not graphql-depth-limit: it re-walks a fragment at every spread (exponential for fragments
// that spread each other repeatedly), recurses without end on a spread cycle, and throws a TypeError
// on an unknown fragment, so it can only run after full validation, which is the work limits protect.
import { Kind, type DocumentNode, type FragmentDefinitionNode, type SelectionSetNode } from 'graphql';

export interface DocumentShape {
  /** Deepest field nesting; a leaf field is 0 (`{ me { name } }` is 1), like graphql-depth-limit. Introspection (`__*`) fields add no depth. */
  readonly depth: number;
  /** Aliased fields, counted through every fragment spread. */
  readonly aliases: number;
  /** Fields selected at the root of the operation, through fragments. */
  readonly rootFields: number;
  /** Directive applications in the operation, through fragments. */
  readonly directives: number;
}

interface Stats {
  depth: number;
  aliases: number;
  /** Fields directly in this selection set (fragments expanded, children not). */
  fields: number;
  directives: number;
}

const ZERO: Stats = Object.freeze({ depth: 0, aliases: 0, fields: 0, directives: 0 });
// Sums through fragment fan-out can grow exponentially; a saturated count is still "over any limit".
const CAP = 1e12;
const add = (a: number, b: number) => Math.min(CAP, a + b);

/** Measures every operation of `document` and returns the largest value of each measure. */
export function analyzeDocument(document: DocumentNode): DocumentShape {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);

  const memo = new Map<string, Stats>();
  const inProgress = new Set<string>();

  function fragmentStats(name: string): Stats {
    const known = memo.get(name);
    if (known) return known;
    const fragment = fragments.get(name);
    if (!fragment || inProgress.has(name)) return ZERO;
    inProgress.add(name);
    const inner = selectionSetStats(fragment.selectionSet);
    inProgress.delete(name);
    const stats = { ...inner, directives: add(inner.directives, fragment.directives?.length ?? 0) };
    memo.set(name, stats);
    return stats;
  }

  function selectionSetStats(set: SelectionSetNode): Stats {
    const s: Stats = { depth: 0, aliases: 0, fields: 0, directives: 0 };
    for (const selection of set.selections) {
      s.directives = add(s.directives, selection.directives?.length ?? 0);
      let child: Stats;
      if (selection.kind === Kind.FIELD) {
        s.fields = add(s.fields, 1);
        if (selection.alias) s.aliases = add(s.aliases, 1);
        if (!selection.selectionSet) continue;
        child = selectionSetStats(selection.selectionSet);
        if (!selection.name.value.startsWith('__')) s.depth = Math.max(s.depth, 1 + child.depth);
      } else {
        child = selection.kind === Kind.INLINE_FRAGMENT ? selectionSetStats(selection.selectionSet) : fragmentStats(selection.name.value);
        s.depth = Math.max(s.depth, child.depth);
        s.fields = add(s.fields, child.fields);
      }
      s.aliases = add(s.aliases, child.aliases);
      s.directives = add(s.directives, child.directives);
    }
    return s;
  }

  const shape = { depth: 0, aliases: 0, rootFields: 0, directives: 0 };
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
    const root = selectionSetStats(definition.selectionSet);
    const ownDirectives = (definition.directives?.length ?? 0) + (definition.variableDefinitions ?? []).reduce((n, v) => n + (v.directives?.length ?? 0), 0);
    shape.depth = Math.max(shape.depth, root.depth);
    shape.aliases = Math.max(shape.aliases, root.aliases);
    shape.rootFields = Math.max(shape.rootFields, root.fields);
    shape.directives = Math.max(shape.directives, add(root.directives, ownDirectives));
  }
  return shape;
}
