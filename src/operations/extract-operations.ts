// From the client operation sources (.graphql files) to one canonical body per operation: the
// operation and every fragment it uses (transitively), with `__typename` added to each selection set
// below the root as Apollo's manifest generator does, printed on one line with definitions, selections
// and arguments sorted: exactly what GraphQL Code Generator's client preset hashes for its persisted
// documents (codegen.ts gives it this file's `addTypenameToDocument`), so the client package's ids
// (clients/typescript) are the manifest's ids. `npm run pq:build` checks that they are.
import { printExecutableGraphQLDocument } from '@graphql-tools/documents';
import {
  Kind,
  parse,
  print,
  Source,
  visit,
  type DefinitionNode,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { ManifestError, sha256Hex, MANIFEST_FORMAT, type ManifestOperation, type PersistedQueryManifest } from './manifest';

/** One operation file: its path (for messages) and text. */
export interface OperationText {
  readonly file: string;
  readonly source: string;
}

export interface ExtractOptions {
  /** Add `__typename` to every selection set below the root (normalised client caches need it). @default true */
  readonly addTypename?: boolean;
  /**
   * `persisted`: the canonical print that ids hash (`persistedBodyOf`). `readable`: graphql-js's print in
   * the sources' order, for people (GraphiQL's tabs); its ids are not the manifest's. @default 'persisted'
   */
  readonly print?: 'persisted' | 'readable';
}

const TYPENAME_FIELD: FieldNode = { kind: Kind.FIELD, name: { kind: Kind.NAME, value: '__typename' } };

/** Adds `__typename` to every selection set except an operation's root one, skipping introspection fields. */
export function addTypenameToDocument(document: DocumentNode): DocumentNode {
  return visit(document, {
    SelectionSet: {
      leave(node: SelectionSetNode, _key, parent): SelectionSetNode | undefined {
        if (parent && !Array.isArray(parent) && (parent as { kind?: string }).kind === Kind.OPERATION_DEFINITION) return undefined;
        const parentField = parent && !Array.isArray(parent) && (parent as { kind?: string }).kind === Kind.FIELD ? (parent as FieldNode) : undefined;
        if (parentField?.name.value.startsWith('__')) return undefined;
        const has = node.selections.some((s) => s.kind === Kind.FIELD && s.name.value === '__typename' && !s.alias);
        return has ? undefined : { ...node, selections: [...node.selections, TYPENAME_FIELD] };
      },
    },
  });
}

/** Why the canonical print would not be the document itself (it collapses whitespace and, in the client preset, drops these directives). */
function canonicalPrintProblem(document: DocumentNode): string | undefined {
  let problem: string | undefined;
  visit(document, {
    StringValue(node) {
      if (/[^\S ]| {2}/.test(node.value)) problem ??= `the string ${JSON.stringify(node.value)} holds whitespace the canonical print collapses; pass it as a variable`;
    },
    Directive(node) {
      if (node.name.value === 'client' || node.name.value === 'connection') problem ??= `@${node.name.value} is a client-only directive; persisted documents cannot hold it`;
    },
  });
  return problem;
}

/**
 * The persisted text of a document (operation with its fragments): printed on one line, definitions,
 * selections (except a mutation's root fields), variables and arguments sorted by name. The same
 * function the client preset prints its persisted documents with, so both hash the same text.
 */
export function persistedBodyOf(document: DocumentNode): string {
  const problem = canonicalPrintProblem(document);
  if (problem !== undefined) throw new ManifestError(problem);
  return printExecutableGraphQLDocument(document);
}

function spreadNames(node: SelectionSetNode, into: Set<string>): void {
  visit(node, {
    FragmentSpread(spread) {
      into.add(spread.name.value);
    },
  });
}

/** The fragments an operation uses, transitively, sorted by name. */
function usedFragments(
  operation: OperationDefinitionNode,
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
  file: (name: string) => string,
): FragmentDefinitionNode[] {
  const seen = new Set<string>();
  const pending = new Set<string>();
  spreadNames(operation.selectionSet, pending);
  while (pending.size > 0) {
    const [name] = pending;
    if (name === undefined) break;
    pending.delete(name);
    if (seen.has(name)) continue;
    const fragment = fragments.get(name);
    if (!fragment) {
      throw new ManifestError(`${file(operation.name?.value ?? '')}: operation "${operation.name?.value}" spreads unknown fragment "${name}"`);
    }
    seen.add(name);
    const next = new Set<string>();
    spreadNames(fragment.selectionSet, next);
    for (const n of next) if (!seen.has(n)) pending.add(n);
  }
  return [...seen].sort().map((name) => fragments.get(name) as FragmentDefinitionNode);
}

export interface ExtractedOperation extends ManifestOperation {
  /** The parsed body (the same AST the server executes). */
  readonly document: DocumentNode;
  /** The file that defines it. */
  readonly file: string;
}

/** Every named operation of the sources with its canonical body and id, sorted by name. */
export function extractOperations(texts: readonly OperationText[], options: ExtractOptions = {}): ExtractedOperation[] {
  const fragments = new Map<string, FragmentDefinitionNode>();
  const operations = new Map<string, { node: OperationDefinitionNode; file: string }>();
  const fileOf = new Map<string, string>();

  for (const { file, source } of texts) {
    let document: DocumentNode;
    try {
      document = parse(new Source(source, file), { noLocation: true });
    } catch (cause) {
      throw new ManifestError(`${file}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    }
    for (const definition of document.definitions as readonly DefinitionNode[]) {
      if (definition.kind === Kind.FRAGMENT_DEFINITION) {
        const name = definition.name.value;
        if (fragments.has(name)) throw new ManifestError(`${file}: fragment "${name}" is also defined in ${fileOf.get(`fragment:${name}`)}`);
        fragments.set(name, definition);
        fileOf.set(`fragment:${name}`, file);
      } else if (definition.kind === Kind.OPERATION_DEFINITION) {
        const name = definition.name?.value;
        if (!name) throw new ManifestError(`${file}: every persisted operation needs a name`);
        const other = operations.get(name);
        if (other) throw new ManifestError(`${file}: operation "${name}" is also defined in ${other.file}`);
        operations.set(name, { node: definition, file });
      } else {
        throw new ManifestError(`${file}: only operations and fragments belong in operation files`);
      }
    }
  }

  const fileOfOperation = (name: string) => operations.get(name)?.file ?? '<unknown>';
  return [...operations.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, { node, file }]) => {
      let document: DocumentNode = { kind: Kind.DOCUMENT, definitions: [node, ...usedFragments(node, fragments, fileOfOperation)] };
      if (options.addTypename !== false) document = addTypenameToDocument(document);
      let body: string;
      try {
        body = options.print === 'readable' ? print(document) : persistedBodyOf(document);
      } catch (cause) {
        throw new ManifestError(`${file}: operation "${name}": ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
      }
      return { id: sha256Hex(body), name, type: node.operation, body, document: parse(body, { noLocation: true }), file };
    });
}

/** The manifest of these operations (sorted by name, so rebuilds are stable). */
export function buildManifest(operations: readonly ManifestOperation[]): PersistedQueryManifest {
  return {
    format: MANIFEST_FORMAT,
    version: 1,
    operations: operations.map(({ id, name, type, body }) => ({ id, name, type, body })),
  };
}
