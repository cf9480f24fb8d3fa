// Whether a document asks for incremental delivery: a `@defer` or `@stream` anywhere in it (its
// operations and fragments, used or not, whatever their `if:`), found once per parsed document.
import { BREAK, visit, type DocumentNode } from 'graphql';

/** The directives of incremental delivery (graphql-js 17 and @graphql-yoga/plugin-defer-stream). */
export const INCREMENTAL_DIRECTIVES: ReadonlySet<string> = new Set(['defer', 'stream']);

// Yoga caches parsed documents (one object per document text), so this is one walk per document.
const seen = new WeakMap<DocumentNode, boolean>();

/** True when the document holds a `@defer` or `@stream` directive. */
export function usesIncrementalDelivery(document: DocumentNode): boolean {
  let found = seen.get(document);
  if (found !== undefined) return found;
  found = false;
  visit(document, {
    Directive(node) {
      if (!INCREMENTAL_DIRECTIVES.has(node.name.value)) return undefined;
      found = true;
      return BREAK;
    },
  });
  seen.set(document, found);
  return found;
}
