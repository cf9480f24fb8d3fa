// The benchmark's GraphQL operations (the client's persisted operations) and the HTTP request each
// scenario sends. Ours receive them by hash (APQ extension) when the manifest lists them, as the
// enforced allowlist wants; peers get the full document.
import { existsSync, readFileSync } from 'node:fs';
import { threadId } from 'node:worker_threads';

export type ScenarioName = 'order-page' | 'single-entity' | 'mutation' | 'catalogue-cached' | 'fixed-json' | 'order-page-deferred';

export const SCENARIOS: readonly ScenarioName[] = ['order-page', 'single-entity', 'mutation', 'catalogue-cached', 'fixed-json', 'order-page-deferred'];

const PRODUCT_CARD = 'fragment ProductCard on Product { id title priceCents currency averageRating }';
const REVIEW_WITH_AUTHOR = 'fragment ReviewWithAuthor on Review { id rating body author { id name } }';
const ORDER_SUMMARY = 'fragment OrderSummary on Order { id status placedAt totalCents }';

/**
 * The client operation of each GraphQL scenario, by its name in the manifest (persisted-queries/
 * operations/*.graphql). Every target runs the manifest's body when there is one, so that ours and
 * the peers execute the same document; `fallback` (the same operation) is used only without a manifest.
 */
export const OPERATIONS = {
  'order-page': {
    name: 'OrderPage',
    fallback: `query OrderPage($after: String) { orders(first: 20, after: $after) { edges { node { ...OrderSummary customer { id name } lines { quantity unitPriceCents product { ...ProductCard reviews { ...ReviewWithAuthor } } } } } pageInfo { hasNextPage endCursor } } } ${ORDER_SUMMARY} ${PRODUCT_CARD} ${REVIEW_WITH_AUTHOR}`,
  },
  'single-entity': {
    name: 'ProductDetail',
    fallback: `query ProductDetail($id: ID!) { product(id: $id) { ...ProductCard inStock reviews { ...ReviewWithAuthor } } } ${PRODUCT_CARD} ${REVIEW_WITH_AUTHOR}`,
  },
  mutation: {
    name: 'PlaceOrder',
    fallback: `mutation PlaceOrder($input: PlaceOrderInput!, $idempotencyKey: String!) { placeOrder(input: $input, idempotencyKey: $idempotencyKey) { ...OrderSummary lines { quantity unitPriceCents product { id title } } } } ${ORDER_SUMMARY}`,
  },
  // Measured apart (first-part.ts): time to the first part and to the whole answer, against 'order-page'.
  'order-page-deferred': {
    name: 'OrderPageDeferredReviews',
    fallback: `query OrderPageDeferredReviews($after: String) { orders(first: 20, after: $after) { edges { node { ...OrderSummary customer { id name } lines { quantity unitPriceCents product { id title priceCents currency ... @defer(label: "reviews") { averageRating reviews { ...ReviewWithAuthor } } } } } } pageInfo { hasNextPage endCursor } } } ${ORDER_SUMMARY} ${REVIEW_WITH_AUTHOR}`,
  },
  'catalogue-cached': {
    name: 'Catalogue',
    fallback: `query Catalogue($first: Int = 20, $after: String) { products(first: $first, after: $after) { edges { cursor node { ...ProductCard inStock } } pageInfo { hasNextPage endCursor } } } ${PRODUCT_CARD}`,
  },
} as const satisfies Record<Exclude<ScenarioName, 'fixed-json'>, { name: string; fallback: string }>;

export const MANIFEST_PATH = 'persisted-queries/manifest.json';

/** Send persisted operations to ours by hash where the manifest has them. The one switch: false sends full documents. */
export const SEND_BY_HASH = true;

interface ManifestOperation {
  readonly id: string;
  readonly name?: string;
  readonly body: string;
}

function readManifest(path: string): ManifestOperation[] {
  if (!existsSync(path)) return [];
  const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
  const operations = typeof parsed === 'object' && parsed !== null && 'operations' in parsed ? parsed.operations : undefined;
  if (!Array.isArray(operations)) return [];
  return operations.flatMap((op: unknown) => {
    if (typeof op !== 'object' || op === null || !('id' in op) || !('body' in op)) return [];
    const { id, body } = op;
    const name = 'name' in op && typeof op.name === 'string' ? op.name : undefined;
    return typeof id === 'string' && typeof body === 'string' ? [{ id, body, ...(name ? { name } : {}) }] : [];
  });
}

export interface PersistedLookup {
  /** The manifest entry of this operation name. */
  find(name: string): ManifestOperation | undefined;
  readonly size: number;
}

export function loadPersisted(path = MANIFEST_PATH): PersistedLookup {
  const operations = readManifest(path);
  return { size: operations.length, find: (name) => operations.find((op) => op.name === name) };
}

export interface RequestSpec {
  readonly method: 'GET' | 'POST';
  /** Path with query string. */
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  /**
   * A fixed body, or a template whose `FRESH_KEY` is replaced by a new idempotency key per request
   * (the mutation). Plain data, not a function: the load generator runs in a worker thread.
   */
  readonly body?: string | { readonly template: string };
  /** How the operation travels: 'hash' | 'document' | 'none' (raw). */
  readonly sentAs: 'hash' | 'document' | 'none';
  /**
   * Many callers and keys (two-instances' realistic traffic): requests take these in turn, each
   * replacing the path and adding its headers (plain data again: the worker thread picks them).
   */
  readonly variants?: readonly RequestVariant[];
}

export interface RequestVariant {
  readonly path?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface RequestContext {
  readonly endpointPath: string;
  /** Bearer token of user-1 (ours checks it; peers act as user-1 whatever is sent). */
  readonly token: string;
  readonly persisted: PersistedLookup;
  /** Ours: send the hash only (the allowlist is enforced). Peers: always the document. */
  readonly byHash: boolean;
}

let keyCounter = 0;

/** Unique per process and thread: calibration (main thread) and the load worker both mint keys. */
export function freshIdempotencyKey(): string {
  keyCounter += 1;
  return `bench-${process.pid}-${threadId}-${Date.now().toString(36)}-${keyCounter}`;
}

/** Stands for the idempotency key in a `{ template }` body. */
export const FRESH_KEY = '@@fresh-idempotency-key@@';

/** The body to send for one request of `spec`. */
export function bodyOf(spec: RequestSpec): string | undefined {
  const { body } = spec;
  return typeof body === 'object' ? body.template.replace(FRESH_KEY, freshIdempotencyKey()) : body;
}

function graphqlBody(name: string, document: string, variables: Record<string, unknown> | undefined, hash: string | undefined): Record<string, unknown> {
  const vars = variables === undefined ? {} : { variables };
  if (hash !== undefined) return { operationName: name, ...vars, extensions: { persistedQuery: { version: 1, sha256Hash: hash } } };
  return { query: document, operationName: name, ...vars };
}

export function requestFor(scenario: ScenarioName, ctx: RequestContext): RequestSpec {
  if (scenario === 'fixed-json') return { method: 'GET', path: '/', headers: {}, sentAs: 'none' };
  const op = OPERATIONS[scenario];
  const entry = ctx.persisted.find(op.name);
  const document = entry?.body ?? op.fallback;
  const hash = SEND_BY_HASH && ctx.byHash && entry ? entry.id : undefined;
  const sentAs = hash === undefined ? 'document' : 'hash';
  const accept = 'application/graphql-response+json, application/json';
  const post = { 'content-type': 'application/json', accept, authorization: `Bearer ${ctx.token}` };
  const body = (variables?: Record<string, unknown>) => JSON.stringify(graphqlBody(op.name, document, variables, hash));
  switch (scenario) {
    case 'order-page':
      return { method: 'POST', path: ctx.endpointPath, headers: post, body: body(), sentAs };
    case 'order-page-deferred':
      // As Apollo Client's Defer20220824Handler asks for it.
      return { method: 'POST', path: ctx.endpointPath, headers: { ...post, accept: `multipart/mixed;deferSpec=20220824, ${accept}` }, body: body(), sentAs };
    case 'single-entity':
      return { method: 'POST', path: ctx.endpointPath, headers: post, body: body({ id: 'prod-42' }), sentAs };
    case 'mutation': {
      const input = { lines: [{ productId: 'prod-7', quantity: 2 }, { productId: 'prod-42', quantity: 1 }] };
      return { method: 'POST', path: ctx.endpointPath, headers: post, body: { template: body({ input, idempotencyKey: FRESH_KEY }) }, sentAs };
    }
    case 'catalogue-cached': {
      // GET and anonymous: a PUBLIC answer every caller may share (the response cache's best case).
      // The operation-name header, as Apollo Client sends it (CSRF prevention needs it only with a Cookie).
      const params = new URLSearchParams();
      for (const [k, v] of Object.entries(graphqlBody(op.name, document, { first: 20 }, hash))) params.set(k, typeof v === 'string' ? v : JSON.stringify(v));
      return { method: 'GET', path: `${ctx.endpointPath}?${params.toString()}`, headers: { accept, 'x-apollo-operation-name': op.name }, sentAs };
    }
  }
}
