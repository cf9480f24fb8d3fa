// The allowlist the server consults: the union of every loaded manifest, by id, with each body parsed
// once at load so requests never parse a persisted document (and limits/cost are cached per AST).
import { parse, type DocumentNode } from 'graphql';
import { ManifestError, type LoadedManifest, type OperationType } from './manifest';

export interface PersistedOperation {
  readonly id: string;
  readonly name: string;
  readonly type: OperationType;
  readonly body: string;
  readonly document: DocumentNode;
  /** The manifest file that first listed it. */
  readonly source: string;
}

export interface PersistedOperationStore {
  /** The operation with this id (sha256 hex of its body). */
  get(id: string): PersistedOperation | undefined;
  /** The pre-parsed document of a persisted body. */
  documentOf(body: string): DocumentNode | undefined;
  /** Whether this exact AST is one of the store's (a request for a persisted operation executes it). */
  isPersistedDocument(document: DocumentNode): boolean;
  readonly size: number;
  operations(): Iterable<PersistedOperation>;
}

export function createPersistedStore(manifests: readonly LoadedManifest[]): PersistedOperationStore {
  const byId = new Map<string, PersistedOperation>();
  const byBody = new Map<string, DocumentNode>();
  const documents = new WeakSet<DocumentNode>();
  for (const { source, manifest } of manifests) {
    for (const op of manifest.operations) {
      if (byId.has(op.id)) continue; // the same id is the same body: retained releases repeat operations
      let document: DocumentNode;
      try {
        document = parse(op.body, { noLocation: true });
      } catch (cause) {
        throw new ManifestError(`${source}: operation "${op.name}" does not parse: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
      }
      byId.set(op.id, { ...op, document, source });
      byBody.set(op.body, document);
      documents.add(document);
    }
  }
  return {
    get: (id) => byId.get(id),
    documentOf: (body) => byBody.get(body),
    isPersistedDocument: (document) => documents.has(document),
    get size() {
      return byId.size;
    },
    operations: () => byId.values(),
  };
}
