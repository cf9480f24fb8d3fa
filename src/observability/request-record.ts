// What telemetry remembers about one GraphQL request between its first hook and its response:
// a plain object, filled in place by the plugin's hooks and by upstream events (no child logger).
import type { Span } from '@opentelemetry/api';
import type { ErrorCode } from '../errors/codes';
import type { RequestOutcome } from './metrics';
import type { RequestHead } from './request-head';

/** One error of the result, reduced to what logs and metrics need. */
export interface ErrorFact {
  readonly code: string;
  readonly path: string | undefined;
  /** The thrown error (an AppError carries `meta`); logged once, never sent to clients. */
  readonly original: unknown;
}

export interface RequestRecord {
  readonly requestId: string;
  readonly request: RequestHead;
  /** performance.now() at the first hook. */
  readonly startedAt: number;
  /** Parameters or a result were seen: this was a GraphQL request, not a page or a probe. */
  graphql: boolean;
  /** The name the client sent or its document declared: for its own log line only, never a label. */
  operationName: string | undefined;
  /** The name of the persisted operation the request ran, from the manifests: the only name labels and span names take. */
  knownOperation: string | undefined;
  operationType: string | undefined;
  persistedHash: string | undefined;
  callerId: string | undefined;
  errors: ErrorFact[];
  outcome: RequestOutcome;
  upstreamCalls: number;
  upstreamAttempts: number;
  upstreamRetries: number;
  /** What the response cache did (`hit`, `miss`, `uncacheable`, `not-modified`), when it saw the request. */
  cache: string | undefined;
  /** The hit was served before yoga parsed the request: by the node lane (cached-get-lane.ts) or yoga's first hook (response-cache-early-hit.ts). */
  cacheEarly: 'node' | 'hook' | undefined;
  /** The static cost estimate, when the cost plugin made one. */
  cost: number | undefined;
  /** Why a plugin refused the request before the pipeline ran (no result carries an error then), e.g. `OVERLOADED`. */
  rejectedWith: ErrorCode | undefined;
  /** An incremental answer (@defer/@stream): parts sent, and performance.now() when the first one was ready. */
  parts: number;
  firstPartAt: number | undefined;
  /** The stream of an incremental answer is still being sent: the line waits for its end (telemetry.ts). */
  streaming: boolean;
  /** The response's status, kept while `streaming` until the stream ends. */
  sentStatus: number | undefined;
  readonly span: Span | undefined;
}

export function newRecord(request: RequestHead, requestId: string, startedAt: number, span: Span | undefined): RequestRecord {
  return {
    requestId,
    request,
    startedAt,
    graphql: false,
    operationName: undefined,
    knownOperation: undefined,
    operationType: undefined,
    persistedHash: undefined,
    callerId: undefined,
    errors: [],
    outcome: 'success',
    upstreamCalls: 0,
    upstreamAttempts: 0,
    upstreamRetries: 0,
    cache: undefined,
    cacheEarly: undefined,
    cost: undefined,
    rejectedWith: undefined,
    parts: 0,
    firstPartAt: undefined,
    streaming: false,
    sentStatus: undefined,
    span,
  };
}
