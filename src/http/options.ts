// Options of one provider's HTTP client, with their defaults in one place.
// Everything that varies between providers or between tests is an option here.
import type { Cluster, Redis } from 'ioredis';
import { systemClock, type Clock } from './clock';
import { DEFAULT_MAX_RESPONSE_BYTES } from './dispatch';

/** How the client authenticates toward the provider. */
export type AuthOptions =
  | { readonly kind: 'none' }
  /** A static API key sent in `header`. */
  | { readonly kind: 'apiKey'; readonly header: string; readonly value: string }
  /** A static bearer token sent as `Authorization: Bearer <token>`. */
  | { readonly kind: 'bearer'; readonly token: string }
  /** OAuth2 client credentials (RFC 6749 §4.4) with HTTP Basic client authentication. */
  | {
      readonly kind: 'oauth2';
      readonly tokenUrl: string;
      readonly clientId: string;
      readonly clientSecret: string;
      /** Space-separated scopes sent as `scope`; omitted when undefined. */
      readonly scope?: string;
      /**
       * A token is refreshed this long before its `expires_in` runs out.
       * @default 30000
       */
      readonly skewMs?: number;
    };

export interface TimeoutOptions {
  /**
   * One attempt's budget (connect + headers + body); capped by what is left of the deadline.
   * @default 3000
   */
  readonly attemptMs: number;
  /**
   * TCP/TLS connect timeout.
   * @default 1000
   */
  readonly connectMs: number;
  /**
   * How long an idle keep-alive socket is kept open.
   * @default 4000
   */
  readonly keepAliveMs: number;
}

export interface RetryOptions {
  /**
   * Retries after the first attempt (so attempts ≤ maxRetries + 1).
   * @default 2
   */
  readonly maxRetries: number;
  /**
   * Base of the exponential backoff: attempt n waits random(0, min(maxDelayMs, baseDelayMs·2ⁿ)).
   * @default 100
   */
  readonly baseDelayMs: number;
  /**
   * Cap of one backoff wait (a Retry-After may ask for longer; the deadline decides).
   * @default 2000
   */
  readonly maxDelayMs: number;
  /**
   * Retries allowed as a fraction of the requests seen in the budget window.
   * @default 0.1
   */
  readonly budgetRatio: number;
  /**
   * Retries per second always allowed, so that a quiet provider can still retry.
   * @default 5
   */
  readonly budgetMinPerSecond: number;
  /**
   * Sliding window over which requests and retries are counted for the budget.
   * @default 10000
   */
  readonly budgetWindowMs: number;
}

export interface BreakerOptions {
  /**
   * Opens when failures / requests in the window reach this ratio.
   * @default 0.5
   */
  readonly failureRatio: number;
  /**
   * No opening below this many requests in the window.
   * @default 20
   */
  readonly minimumRequests: number;
  /**
   * Length of the sliding window of outcomes.
   * @default 10000
   */
  readonly windowMs: number;
  /**
   * Time spent open before one probe is let through (half-open).
   * @default 5000
   */
  readonly halfOpenAfterMs: number;
}

export interface RateLimitOptions {
  /** Tokens added per second (sustained outbound request rate). */
  readonly ratePerSecond: number;
  /** Bucket size: requests that may go at once after a quiet period. */
  readonly burst: number;
}

/** Shared state across gateway instances. */
export interface SharedStoreOptions {
  /** An ioredis client (or Cluster) owned by the caller (not closed by `client.close()`). */
  readonly redis: Redis | Cluster;
  /**
   * Prefix of every key this client writes.
   * @default 'bff:http:'
   */
  readonly keyPrefix?: string;
  /** Timeout and breaker around each Redis call (src/server/redis-guard.ts). @default none (100 ms timeout only) */
  readonly guard?: SharedCallGuard | undefined;
}

/** Runs one Redis call, or rejects at once (breaker open) or after its timeout. */
export interface SharedCallGuard {
  run<T>(op: () => Promise<T>): Promise<T>;
}

export interface ProviderClientOptions {
  /** Provider name: client-visible in errors (`extensions.provider`), label of every event. */
  readonly name: string;
  /** Origin (and optional base path) of the provider, e.g. `http://127.0.0.1:4001/v1`. */
  readonly baseUrl: string;
  /**
   * Credentials toward the provider.
   * @default { kind: 'none' }
   */
  readonly auth?: AuthOptions;
  /** @default { attemptMs: 3000, connectMs: 1000, keepAliveMs: 4000 } */
  readonly timeouts?: Partial<TimeoutOptions>;
  /** @default { maxRetries: 2, baseDelayMs: 100, maxDelayMs: 2000, budgetRatio: 0.1, budgetMinPerSecond: 5, budgetWindowMs: 10000 } */
  readonly retry?: Partial<RetryOptions>;
  /** @default { failureRatio: 0.5, minimumRequests: 20, windowMs: 10000, halfOpenAfterMs: 5000 } */
  readonly breaker?: Partial<BreakerOptions>;
  /**
   * Outbound token bucket; no rate limit when undefined.
   * @default undefined
   */
  readonly rateLimit?: RateLimitOptions;
  /**
   * Requests in flight at once toward this provider; more wait (within their deadline).
   * @default 64
   */
  readonly maxConcurrent?: number;
  /**
   * Largest answer body read from this provider; a larger one fails the attempt with
   * UPSTREAM_BAD_RESPONSE and its socket is dropped, so a runaway provider cannot fill the heap.
   * @default 16 MiB (DEFAULT_MAX_RESPONSE_BYTES)
   */
  readonly maxResponseBytes?: number;
  /**
   * Sockets in the undici pool for this origin.
   * @default 32
   */
  readonly connections?: number;
  /**
   * 4xx statuses the provider owns: resolved so the provider maps them to domain errors.
   * 401/403 not listed here become UPSTREAM_AUTH_FAILED; other 4xx UPSTREAM_BAD_RESPONSE.
   * @default [400, 404, 409, 422]
   */
  readonly passStatuses?: readonly number[];
  /**
   * Source of time and waits.
   * @default systemClock
   */
  readonly clock?: Clock;
  /**
   * Uniform random number in [0, 1) for backoff jitter.
   * @default Math.random
   */
  readonly random?: () => number;
  /**
   * Redis for state shared by all gateway instances (outbound bucket, OAuth token).
   * In memory when undefined.
   * @default undefined
   */
  readonly shared?: SharedStoreOptions;
}

/** Options with every default filled in. */
export interface ResolvedOptions {
  readonly name: string;
  readonly baseUrl: URL;
  readonly auth: AuthOptions;
  readonly timeouts: TimeoutOptions;
  readonly retry: RetryOptions;
  readonly breaker: BreakerOptions;
  readonly rateLimit: RateLimitOptions | undefined;
  readonly maxConcurrent: number;
  readonly connections: number;
  readonly maxResponseBytes: number;
  readonly passStatuses: ReadonlySet<number>;
  readonly clock: Clock;
  readonly random: () => number;
  readonly shared: { readonly redis: Redis | Cluster; readonly keyPrefix: string; readonly guard: SharedCallGuard | undefined } | undefined;
}

export const DEFAULT_TIMEOUTS: TimeoutOptions = { attemptMs: 3000, connectMs: 1000, keepAliveMs: 4000 };
export const DEFAULT_RETRY: RetryOptions = {
  maxRetries: 2,
  baseDelayMs: 100,
  maxDelayMs: 2000,
  budgetRatio: 0.1,
  budgetMinPerSecond: 5,
  budgetWindowMs: 10_000,
};
export const DEFAULT_BREAKER: BreakerOptions = {
  failureRatio: 0.5,
  minimumRequests: 20,
  windowMs: 10_000,
  halfOpenAfterMs: 5000,
};
export const DEFAULT_PASS_STATUSES: readonly number[] = [400, 404, 409, 422];

export function resolveOptions(options: ProviderClientOptions): ResolvedOptions {
  const baseUrl = new URL(options.baseUrl);
  if (baseUrl.protocol !== 'http:' && baseUrl.protocol !== 'https:') {
    throw new TypeError(`Provider "${options.name}": baseUrl must be http(s)`);
  }
  return {
    name: options.name,
    baseUrl,
    auth: options.auth ?? { kind: 'none' },
    timeouts: { ...DEFAULT_TIMEOUTS, ...options.timeouts },
    retry: { ...DEFAULT_RETRY, ...options.retry },
    breaker: { ...DEFAULT_BREAKER, ...options.breaker },
    rateLimit: options.rateLimit,
    maxConcurrent: options.maxConcurrent ?? 64,
    connections: options.connections ?? 32,
    maxResponseBytes: options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES,
    passStatuses: new Set(options.passStatuses ?? DEFAULT_PASS_STATUSES),
    clock: options.clock ?? systemClock,
    random: options.random ?? Math.random,
    shared:
      options.shared === undefined
        ? undefined
        : { redis: options.shared.redis, keyPrefix: options.shared.keyPrefix ?? 'bff:http:', guard: options.shared.guard },
  };
}
