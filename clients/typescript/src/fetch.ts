// Plain fetch: a persisted operation by its id, with no GraphQL client. Queries go as
// `GET <endpoint>?documentId=sha256:…&operationName=…&variables=…` (cacheable, and no CSRF preflight
// header needed without a Cookie), mutations as a JSON POST of `{ documentId, operationName, variables }`.
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import type { DocumentNode, FormattedExecutionResult } from 'graphql';
import { documentIdParameter, operationOf } from './documents.js';

/** The GET URL of a persisted query. */
export function persistedQueryUrl(endpoint: string | URL, document: DocumentNode, variables?: unknown): string {
  const url = new URL(endpoint);
  url.searchParams.set('documentId', documentIdParameter(document));
  const { name } = operationOf(document);
  if (name !== undefined) url.searchParams.set('operationName', name);
  if (variables !== undefined && Object.keys(variables as object).length > 0) url.searchParams.set('variables', JSON.stringify(variables));
  return url.href;
}

export interface FetchPersistedOptions extends Omit<RequestInit, 'method' | 'body'> {
  /** The fetch to use (a recording or instrumented one). @default globalThis.fetch */
  readonly fetch?: typeof fetch;
}

/** What the gateway answered: the GraphQL result (data and/or errors) and the HTTP status. */
export type PersistedResult<R> = FormattedExecutionResult<R> & { readonly status: number };

/** Runs one of the package's operations by id: GET for a query, POST for a mutation. */
export async function fetchPersisted<R, V>(
  endpoint: string | URL,
  document: TypedDocumentNode<R, V>,
  variables?: V,
  options: FetchPersistedOptions = {},
): Promise<PersistedResult<R>> {
  const { fetch: fetchImpl = globalThis.fetch, headers, ...init } = options;
  const sent = new Headers(headers);
  if (!sent.has('accept')) sent.set('accept', 'application/graphql-response+json, application/json');
  const { name, type } = operationOf(document);
  let response: Response;
  if (type === 'query') {
    response = await fetchImpl(persistedQueryUrl(endpoint, document, variables), { ...init, method: 'GET', headers: sent });
  } else {
    sent.set('content-type', 'application/json');
    const body = JSON.stringify({ documentId: documentIdParameter(document), ...(name !== undefined ? { operationName: name } : {}), ...(variables !== undefined ? { variables } : {}) });
    response = await fetchImpl(String(endpoint), { ...init, method: 'POST', headers: sent, body });
  }
  const result = (await response.json()) as FormattedExecutionResult<R>;
  return { ...result, status: response.status };
}
