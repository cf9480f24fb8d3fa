// The persisted id of a document of this package, and the documents by id or by text. Every operation
// document that `npm run codegen` generated carries its id in `__meta__.hash`: the sha256 hex of its body
// in persisted-queries/manifest.json, the gateway's allowlist (pq:build fails when they differ).
import type { ResultOf, TypedDocumentNode, VariablesOf } from '@graphql-typed-document-node/core';
import { Kind, parse, print, type DocumentNode, type OperationTypeNode } from 'graphql';
import * as generated from './generated/graphql.js';
import persistedDocuments from './generated/persisted-documents.json' with { type: 'json' };

export type { ResultOf, TypedDocumentNode, VariablesOf };

/** Every persisted operation of this package: `{ [id]: body }`, the bodies the gateway's manifest holds. */
export { persistedDocuments };

interface WithMeta {
  readonly __meta__?: { readonly hash?: unknown };
}

function hashOf(document: DocumentNode): string | undefined {
  const hash = (document as DocumentNode & WithMeta).__meta__?.hash;
  return typeof hash === 'string' ? hash : undefined;
}

function isDocument(value: unknown): value is DocumentNode {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === Kind.DOCUMENT;
}

/** The package's operation documents (those with an id). */
export const operationDocuments: readonly DocumentNode[] = Object.values(generated).filter(
  (value): value is DocumentNode => isDocument(value) && hashOf(value) !== undefined,
);

/** The operation of a document (its first, the only one in the package's documents). */
export function operationOf(document: DocumentNode): { readonly name: string | undefined; readonly type: OperationTypeNode } {
  const operation = document.definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION);
  if (operation?.kind !== Kind.OPERATION_DEFINITION) throw new TypeError('@bff/client: the document holds no operation');
  return { name: operation.name?.value, type: operation.operation };
}

// A client may hand the link or exchange a copy of the document (a transform that rebuilt it without
// `__meta__`): such a copy is recognised by its printed text, which is the package document's.
let byText: Map<string, string> | undefined;
const seen = new Map<string, string | undefined>();

/** The id of the package document whose text this is, in any formatting; undefined when none is. */
export function documentIdOfText(text: string): string | undefined {
  if (seen.has(text)) return seen.get(text);
  byText ??= new Map(operationDocuments.map((d) => [print(d), hashOf(d) as string]));
  let id: string | undefined;
  try {
    id = byText.get(print(parse(text, { noLocation: true })));
  } catch {
    id = undefined;
  }
  if (seen.size < 1000) seen.set(text, id);
  return id;
}

/**
 * The persisted id of one of this package's documents: the manifest's id (sha256 hex of the body).
 * Throws for any other document: the gateway's allowlist would refuse it.
 */
export function documentId(document: DocumentNode): string {
  const id = hashOf(document) ?? documentIdOfText(print(document));
  if (id === undefined) {
    throw new TypeError(`@bff/client: "${operationOf(document).name ?? 'anonymous'}" is not one of the package's persisted documents (run npm run codegen after adding it to persisted-queries/operations)`);
  }
  return id;
}

/** `documentId` in the form of the GraphQL-over-HTTP persisted-documents appendix: `sha256:<hex>`. */
export function documentIdParameter(document: DocumentNode): string {
  return `sha256:${documentId(document)}`;
}
