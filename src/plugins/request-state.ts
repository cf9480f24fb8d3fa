// What the plugins remember about one request between its hooks, in one typed place. Each field has
// one owner (the plugin that writes it); others only read it, through the owner's accessor where it
// has one. One WeakMap keyed by the request object: a fetch Request in yoga, the node lane's head of
// an IncomingMessage (src/server/cached-get-lane.ts) for cached GETs; an entry goes with its request.
import type { ErrorCode } from '../errors/codes';
import type { RequestHead } from '../observability/request-head';
import type { RequestRecord } from '../observability/request-record';
import type { Caller } from '../auth/caller';
import type { RequestBudgets } from './rate-limit/inbound-budgets';
import type { CacheStatus } from './response-cache/response-cache';
import type { EarlyHit } from './response-cache/response-cache-early-hit';

export interface RequestState {
  /** request-id.ts: the request's id, fixed by whoever reads it first (`requestIdOf`). */
  requestId: string | undefined;
  /** rate-limit/caller-identity.ts: the bearer token's verification, started once by whoever asks first. */
  caller: Promise<Caller | null> | undefined;
  /** observability/telemetry.ts: the request's log line, metrics and span, until its response. */
  record: RequestRecord | undefined;
  /** admission/admission.ts: the code of a refusal answered before the pipeline (no result for telemetry to read). */
  rejectedWith: ErrorCode | undefined;
  /** admission/admission.ts: gives the request's slot of the admission limit back. */
  releaseAdmission: (() => void) | undefined;
  /** rate-limit/rate-limit.ts: what the request spent of its caller's budgets. */
  budgets: RequestBudgets | undefined;
  /** cost.ts: the estimated cost (summed over a batch), known once validated (`costOf`). */
  cost: number | undefined;
  /** response-cache/response-cache.ts: what the cache did (`responseCacheStatusOf`). */
  cacheStatus: CacheStatus | undefined;
  /** response-cache/response-cache.ts: the data answered when a cache could keep it (its ETag is made from it); see `answered`. */
  answeredData: unknown;
  /** response-cache/response-cache.ts: `answeredData` is set (the data itself may be null). */
  answered: boolean;
  /** response-cache/response-cache.ts: the max-age a shared cache may keep the answer for; undefined: not public. */
  publicMaxAge: number | undefined;
  /** response-cache/response-cache.ts: the early hit that answered the request (`earlyHitOf`). */
  earlyHit: Pick<EarlyHit, 'persistedId' | 'operationName'> | undefined;
  /** response-cache/response-cache.ts: the persisted id as sent, before the allowlist swapped a `documentId` for its body. */
  sentPersistedId: string | undefined;
  /** response-cache/response-cache.ts: when the request's cache key was built (cacheClock), before any provider was read. */
  cacheStartedAt: number | undefined;
}

const states = new WeakMap<RequestHead, RequestState>();

// Every field present from the start, so that all states share one shape (and one hidden class).
function newState(): RequestState {
  return {
    requestId: undefined,
    caller: undefined,
    record: undefined,
    rejectedWith: undefined,
    releaseAdmission: undefined,
    budgets: undefined,
    cost: undefined,
    cacheStatus: undefined,
    answeredData: undefined,
    answered: false,
    publicMaxAge: undefined,
    earlyHit: undefined,
    sentPersistedId: undefined,
    cacheStartedAt: undefined,
  };
}

/** The state of a request, made on first use: one WeakMap lookup per call. */
export function stateOf(request: RequestHead): RequestState {
  let state = states.get(request);
  if (state === undefined) {
    state = newState();
    states.set(request, state);
  }
  return state;
}
