// The diagnostics_channel names src/http and the edge plugins (src/operations' limits, the allowlist)
// publish on, and the payload of each.
// Publishers pay nothing when no one subscribes; logs and metrics subscribe here.
import { channel } from 'node:diagnostics_channel';

export type BreakerState = 'closed' | 'open' | 'half-open';

/** One attempt toward a provider finished (answered, failed, or was refused before the wire). */
export interface HttpAttemptEvent {
  readonly provider: string;
  readonly requestId: string;
  readonly method: string;
  /** Route template, e.g. `/orders/:id`; never ids or query strings. */
  readonly route: string;
  /** 1 for the first attempt, 2 for the first retry… */
  readonly attempt: number;
  /** The provider's status; undefined when there was no answer. */
  readonly status: number | undefined;
  /** `ok` (2xx), `pass` (a 4xx handed to the provider), or why the attempt failed. */
  readonly outcome: string;
  /** The failure that caused this attempt (undefined for the first attempt and the 401 re-send). */
  readonly retryReason: string | undefined;
  /** Clock time (ms since the epoch) when the attempt went on the wire. */
  readonly at: number;
  /** Real time the attempt took, including auth and the body read. */
  readonly durationMs: number;
  /** Breaker state after the attempt's outcome was recorded. */
  readonly breakerState: BreakerState;
  /** `RateLimit*`, `X-RateLimit-*` and `Retry-After` headers of the answer, lower-case names. */
  readonly rateLimit: Readonly<Record<string, string>> | undefined;
}

/** One `request()` finished: what the caller saw. */
export interface HttpRequestEvent {
  readonly provider: string;
  readonly requestId: string;
  readonly method: string;
  readonly route: string;
  readonly attempts: number;
  readonly status: number | undefined;
  /** `ok`, or the UPSTREAM_* code thrown. */
  readonly outcome: string;
  readonly durationMs: number;
}

export interface BreakerStateEvent {
  readonly provider: string;
  readonly from: BreakerState;
  readonly to: BreakerState;
  /** Clock time of the change, ms since the epoch. */
  readonly at: number;
}

export interface TokenRefreshEvent {
  readonly provider: string;
  /** `fetched` from the token endpoint, `shared` read from Redis, `failed`. */
  readonly outcome: 'fetched' | 'shared' | 'failed';
  /** Why a token was needed: none yet, the cached one expired, or the provider said 401. */
  readonly reason: 'cold' | 'expired' | 'unauthorized';
  readonly durationMs: number;
  /** Token lifetime granted, in seconds (fetched/shared only). */
  readonly expiresInSeconds: number | undefined;
}

/** A call was refused by the outbound throttle (bucket or concurrency) within its deadline. */
export interface ThrottleEvent {
  readonly provider: string;
  readonly requestId: string;
  readonly limit: 'rate' | 'concurrency';
  /** How long the call would have had to wait. */
  readonly waitMs: number;
}

export const HTTP_CHANNELS = {
  attempt: 'bff:http:attempt',
  request: 'bff:http:request',
  breaker: 'bff:http:breaker',
  token: 'bff:http:token',
  throttle: 'bff:http:throttle',
} as const;

export const httpAttemptChannel = channel(HTTP_CHANNELS.attempt);
export const httpRequestChannel = channel(HTTP_CHANNELS.request);
export const breakerStateChannel = channel(HTTP_CHANNELS.breaker);
export const tokenRefreshChannel = channel(HTTP_CHANNELS.token);
export const throttleChannel = channel(HTTP_CHANNELS.throttle);

// ---- The edge plugins' channels: allowlist audits and limit decisions -----------------------------

/** The operation limits (src/operations/limits.ts checks them). */
export type LimitName = 'depth' | 'aliases' | 'rootFields' | 'directives' | 'tokens' | 'documentBytes' | 'cost';

/** A document ran although it is not in the allowlist: audit mode, or an internal client's bypass. */
export interface PersistedAuditEvent {
  readonly requestId: string;
  /** `audit`: mode audit let it through; `bypass`: an internal client's secret did. */
  readonly reason: 'audit' | 'bypass';
  readonly operationName: string | undefined;
  /** sha256 hex of the document text (the id it would have in a manifest). */
  readonly documentHash: string;
  /** The internal client's name (bypass only). */
  readonly client: string | undefined;
}

/** A limit was exceeded: refused (`enforced`) or only reported (measure mode). */
export interface LimitEvent {
  readonly requestId: string;
  readonly limit: LimitName;
  /** Null when the value could not be measured (a cost estimate that gave up, a parse stopped at the token limit). */
  readonly actual: number | null;
  readonly max: number;
  readonly enforced: boolean;
  readonly operationName: string | undefined;
}

export const OPERATION_CHANNELS = {
  audit: 'bff:operations:audit',
  limit: 'bff:operations:limit',
} as const;

export const persistedAuditChannel = channel(OPERATION_CHANNELS.audit);
export const limitChannel = channel(OPERATION_CHANNELS.limit);
