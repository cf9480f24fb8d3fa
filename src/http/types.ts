// The contract of the upstream core: what providers hand to `request()` and what they get back.
// Knows nothing of GraphQL; providers translate their domain into these shapes.

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** Per-GraphQL-request facts every upstream call inherits. */
export interface CallContext {
  /** Propagated as `x-request-id` on every upstream call. */
  readonly requestId: string;
  /** Absolute time (ms since epoch, from the injected clock) after which no attempt may run. */
  readonly deadlineAt: number;
  /** Aborted when the client goes away; cancels in-flight upstream calls. */
  readonly signal?: AbortSignal;
  /** Extra headers to propagate (e.g. `traceparent`). */
  readonly headers?: Readonly<Record<string, string>>;
}

export interface UpstreamRequest {
  readonly method: HttpMethod;
  /** Path with ids already filled in, e.g. `/orders/o-1`. */
  readonly path: string;
  /** Path template for logs and metrics, e.g. `/orders/:id`. Never contains ids or query strings. */
  readonly route: string;
  readonly query?: Readonly<Record<string, string | number | undefined>>;
  readonly headers?: Readonly<Record<string, string>>;
  /** Serialised as JSON. */
  readonly body?: unknown;
  /**
   * Marks a POST as safe to retry (a GraphQL query operation). GET/HEAD are always safe;
   * a request carrying `idempotencyKey` is safe too.
   * @default false
   */
  readonly idempotent?: boolean;
  /** Sent as `Idempotency-Key`; makes the call retryable. */
  readonly idempotencyKey?: string;
}

export interface UpstreamResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  /** Parsed JSON body (undefined for empty bodies). */
  readonly body: unknown;
}

/**
 * One provider's client. Resolves for 2xx and for 4xx answers the provider owns
 * (400, 404, 409, 422 by default: `passStatuses`), so providers map them to domain errors; throws an `AppError`
 * with an UPSTREAM_* code for everything else (timeouts, network, 5xx, 429, auth, bad JSON).
 */
export interface ProviderHttpClient {
  readonly provider: string;
  request(req: UpstreamRequest, ctx: CallContext): Promise<UpstreamResponse>;
  close(): Promise<void>;
}
