// CORS: which browser origins may call the gateway cross-origin, and what they may send and read.
// Yoga's `cors` option does the protocol (preflight 204, the Access-Control-* headers); this module
// decides per request. Only the configured origins (CORS_ORIGINS, exact) get any Access-Control-*
// header, credentials included; any other origin gets none, so its browser refuses to hand the answer
// to the page. Every response varies by Origin (useCorsVary): the same URL answers differently
// per origin, and a shared cache must not give one origin's answer to another.
import type { Plugin, YogaServerOptions } from 'graphql-yoga';
import { appendVary } from './vary';

/** The request headers a page may send: those the gateway reads (plus Content-Type for JSON POSTs). */
export const CORS_ALLOWED_HEADERS: readonly string[] = Object.freeze([
  'content-type',
  'authorization',
  // CSRF proof on GET (csrf-prevention.ts) and the persisted-operation clients that send them.
  'apollo-require-preflight',
  'x-apollo-operation-name',
  'graphql-require-preflight',
  // Client name and version, for logs and metrics (telemetry).
  'graphql-client-name',
  'graphql-client-version',
  'apollographql-client-name',
  'apollographql-client-version',
  'x-request-id',
  'traceparent',
]);

/** The response headers a page may read besides the CORS-safelisted ones. */
export const CORS_EXPOSED_HEADERS: readonly string[] = Object.freeze([
  'x-request-id',
  'ratelimit-limit',
  'ratelimit-remaining',
  'ratelimit-reset',
  'ratelimit-policy',
  'retry-after',
  'etag',
]);

/** Seconds a browser may reuse a preflight's answer: a removed origin or header stops working within that time. */
export const CORS_PREFLIGHT_MAX_AGE_SECONDS = 600;

export interface CorsPolicyOptions {
  /** Exact origins (`https://shop.example.com`) allowed cross-origin, with credentials. */
  readonly origins: readonly string[];
  /** `Access-Control-Max-Age` of a preflight. @default 600 */
  readonly preflightMaxAgeSeconds?: number;
}

type CorsOption = YogaServerOptions<Record<string, unknown>, Record<string, unknown>>['cors'];

/** Yoga's `cors` option: false (no CORS at all) without origins, else a decision per request. */
export function corsPolicy(options: CorsPolicyOptions): CorsOption {
  if (options.origins.length === 0) return false;
  const allowed = new Set(options.origins);
  const common = {
    methods: ['GET', 'POST'],
    allowedHeaders: [...CORS_ALLOWED_HEADERS],
    exposedHeaders: [...CORS_EXPOSED_HEADERS],
    credentials: true,
    maxAge: options.preflightMaxAgeSeconds ?? CORS_PREFLIGHT_MAX_AGE_SECONDS,
  };
  return (request: Request) => {
    const origin = request.headers.get('origin');
    // One origin, the caller's: the answer never lists the other allowed origins.
    return origin !== null && allowed.has(origin) ? { ...common, origin: [origin] } : false;
  };
}

/** `Vary: Origin` on every response while CORS is on (yoga adds it only when it lists several origins). */
export function useCorsVary(): Plugin {
  return {
    onResponse({ response }) {
      appendVary(response.headers, 'Origin');
    },
  };
}
