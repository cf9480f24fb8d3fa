// useTelemetry: feeds one record per GraphQL request to the observability layer (the request's log
// line, metrics and span; its errors logged once with their meta) and serves `/api/metrics` behind
// its bearer token. Two plugins share each request's record: `head` right after the request id, so
// even refused requests are observed, and `tail` last, so the line tells the response that was
// sent (a 304 made of a hit by the response cache, the final headers), not one still being built.
import { getOperationAST, GraphQLError, type DocumentNode } from 'graphql';
import { mapAsyncIterator, type GraphQLParams, type Plugin } from 'graphql-yoga';
import { isErrorCode } from '../../errors/codes';
import { toGraphQLError } from '../../errors/to-graphql-error';
import { METRICS_PATH } from '../../observability/metrics-endpoint';
import { toResponse } from '../../observability/ops-reply';
import type { ErrorFact, RequestRecord } from '../../observability/request-record';
import type { Telemetry } from '../../observability/telemetry';
import { persistedIdOf } from '../persisted-operations/persisted-id';
import { requestIdOf } from '../request-id';
import { stateOf } from '../request-state';
import { earlyHitOf, responseCacheStatusOf, type CacheStatus } from '../response-cache/response-cache';
import type { EarlyHit } from '../response-cache/response-cache-early-hit';

export interface TelemetryPluginOptions {
  /** The GraphQL endpoint: only its requests get a record (probes and pages do not). */
  readonly endpoint: string;
  /** The cost plugin's estimate of the request's operation, for its log line and histogram. @default none */
  readonly costOf?: ((request: Request) => number | undefined) | undefined;
  /** Whether a document is one of the manifests' (its operation name may then label metrics). @default none: every name is `other` */
  readonly isPersistedDocument?: ((document: DocumentNode) => boolean) | undefined;
}

interface ResultLike {
  readonly data?: Record<string, unknown> | null;
  readonly errors?: readonly GraphQLError[];
}

/** A part of an incremental answer: later parts carry their fragments' data and errors in `incremental`. */
interface PartLike extends ResultLike {
  readonly incremental?: readonly ResultLike[];
}

const PERSISTED_ID = /^[A-Za-z0-9:_-]{1,128}$/;
const STREAMED_TYPE = /^(multipart\/mixed|text\/event-stream)\b/i;

/** The sent id when it is sane enough for a log line. */
function loggedPersistedId(params: GraphQLParams): string | undefined {
  const id = persistedIdOf(params);
  return id !== undefined && PERSISTED_ID.test(id) ? id : undefined;
}

// The error that was thrown (an AppError with its meta), under any GraphQLError wrapping.
function originalOf(error: GraphQLError): unknown {
  let current: unknown = error;
  while (current instanceof GraphQLError && current.originalError !== undefined) current = current.originalError;
  return current;
}

function factOf(error: GraphQLError): ErrorFact {
  const existing = error.extensions['code'];
  const code = isErrorCode(existing) ? existing : String(toGraphQLError(error, { isDev: false }).extensions['code']);
  return { code, path: error.path?.join('.'), original: originalOf(error) };
}

function collect(record: RequestRecord, result: ResultLike): void {
  const errors = result.errors;
  if (errors === undefined || errors.length === 0) return;
  for (const error of errors) record.errors.push(factOf(error));
  const data = result.data;
  const partial = data !== null && data !== undefined && Object.values(data).some((v) => v !== null);
  if (!partial) record.outcome = 'error';
  else if (record.outcome === 'success') record.outcome = 'partial';
}

// A later part's errors: a deferred fragment failed, what the first part held stays (partial, not error).
function collectPart(record: RequestRecord, part: PartLike): void {
  if (record.parts === 0) record.firstPartAt = performance.now();
  record.parts += 1;
  collect(record, part);
  for (const entry of part.incremental ?? []) {
    if (!entry.errors?.length) continue;
    for (const error of entry.errors) record.errors.push(factOf(error));
    if (record.outcome === 'success') record.outcome = 'partial';
  }
}

/**
 * Watches an incremental answer part by part; the line is written once, when the stream ends (last
 * part, error, or the client going away: mapAsyncIterator's onEnd also runs on return()).
 */
function observeStream(telemetry: Telemetry, record: RequestRecord, stream: AsyncIterable<PartLike>): AsyncIterable<PartLike> {
  record.streaming = true;
  const end = () => {
    if (!record.streaming) return;
    record.streaming = false;
    // The response was already handed over (tail's onResponse kept its status): write the line now.
    if (record.sentStatus !== undefined) telemetry.endRequest(record, record.sentStatus);
  };
  return mapAsyncIterator(
    stream,
    (part) => {
      collectPart(record, part);
      return part;
    },
    (error: unknown) => {
      end();
      throw error;
    },
    end,
  );
}

/** A request answered by the response cache before yoga read its parameters: the cache knows the operation. */
export function noteEarlyHit(record: RequestRecord, hit: Pick<EarlyHit, 'persistedId' | 'operationName'>, cache: CacheStatus, where: 'node' | 'hook'): void {
  record.graphql = true;
  record.cache = cache;
  record.cacheEarly = where;
  record.operationName = hit.operationName;
  record.knownOperation = hit.operationName;
  record.persistedHash = hit.persistedId;
}

export interface TelemetryPlugins {
  readonly head: Plugin;
  readonly tail: Plugin;
}

export function useTelemetry(telemetry: Telemetry, options: TelemetryPluginOptions): TelemetryPlugins {
  const head: Plugin = {
    onRequest({ request, url, endResponse, fetchAPI }) {
      const path = url.pathname;
      if (path === METRICS_PATH) {
        return telemetry.metricsReply(request.headers.get('authorization')).then((reply) => endResponse(toResponse(reply, fetchAPI.Response)));
      }
      if (path === options.endpoint) stateOf(request).record = telemetry.beginRequest(request, requestIdOf(request));
      return undefined;
    },
    onParams({ request, params }) {
      const record = stateOf(request).record;
      if (record === undefined) return;
      record.graphql = true;
      if (typeof params.operationName === 'string' && params.operationName !== '') record.operationName = params.operationName;
      record.persistedHash = loggedPersistedId(params);
    },
    onExecute({ args }) {
      const ctx = args.contextValue as { request?: Request; caller?: { id?: unknown } | null };
      const record = ctx.request === undefined ? undefined : stateOf(ctx.request).record;
      if (record === undefined) return;
      const callerId = ctx.caller?.id;
      if (typeof callerId === 'string') record.callerId = callerId;
      const operation = getOperationAST(args.document, args.operationName ?? undefined);
      if (operation) {
        record.operationType = operation.operation;
        if (operation.name) {
          record.operationName = operation.name.value;
          if (options.isPersistedDocument?.(args.document) === true) record.knownOperation = operation.name.value;
        }
      }
    },
    onResultProcess({ request, result, setResult }) {
      const record = stateOf(request).record;
      if (record === undefined) return;
      record.graphql = true;
      if (Array.isArray(result)) for (const r of result as ResultLike[]) collect(record, r);
      else if (Symbol.asyncIterator in result) setResult(observeStream(telemetry, record, result as AsyncIterable<PartLike>));
      else collect(record, result as ResultLike);
    },
  };
  const tail: Plugin = {
    onResponse({ request, response }) {
      const state = stateOf(request);
      const record = state.record;
      if (record === undefined) return;
      state.record = undefined;
      record.rejectedWith = state.rejectedWith;
      const cache = responseCacheStatusOf(request);
      const early = earlyHitOf(request);
      if (early !== undefined && cache !== undefined) noteEarlyHit(record, early, cache, 'hook');
      else record.cache = cache;
      if (record.graphql) record.cost = options.costOf?.(request);
      // An incremental answer being sent: its stream's end writes the line (observeStream). One that is
      // not sent after all (a 406, an error) is written now, and its stream's end then writes nothing.
      if (record.streaming && STREAMED_TYPE.test(response.headers.get('content-type') ?? '')) {
        record.sentStatus = response.status;
      } else {
        record.streaming = false;
        telemetry.endRequest(record, response.status);
      }
    },
  };
  return { head, tail };
}
