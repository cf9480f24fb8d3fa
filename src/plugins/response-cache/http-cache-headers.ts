// The HTTP caching headers of a GraphQL answer to a GET, shared by every path that can send one (the
// pipeline and yoga's early hit in response-cache.ts, the node lane in src/server/cached-get-lane.ts),
// so that a cache miss and a hit say the same thing.
//
// - PUBLIC and shareable: a GET of a persisted operation whose document selects nothing PRIVATE
//   (cache-scope.ts), sent without credentials (no Authorization, no Cookie), answered without
//   errors: `public, max-age=<smallest maxAge of the document>, stale-while-revalidate=<n>`.
// - Any other answer the response cache could store (private documents, credentialed requests):
//   `private, no-cache`, so that a browser keeps it but revalidates it (ETag, 304) every time.
// - Errors, partial answers and refusals: `no-store`; nothing in them is worth keeping.
//
// A public answer carries nothing about the caller's budgets (RateLimit-*, Retry-After): a shared
// cache would hand one caller's counts to everybody. The request id stays (it names the request
// that produced the answer).
//
// Vary names what changes the answer: Accept (the media type), and Authorization and Cookie: a
// shared cache that stored an anonymous public answer must not hand it to a credentialed request
// (which gets its 401 for a bad token, its budget and its private answer from the gateway).
import { sha256Hex } from '../../operations/manifest';
import type { RequestHead } from '../../observability/request-head';

/** Browsers may keep the answer but must revalidate it; shared caches must not keep it. */
export const PRIVATE_CACHE_CONTROL = 'private, no-cache';

/** Errors, partial answers and refusals to a GET. */
export const NO_STORE_CACHE_CONTROL = 'no-store';

/** The request headers an answer that a cache may keep varies by (CORS adds Origin). */
export const ANSWER_VARY = 'Accept, Authorization, Cookie';

/** A header about the caller's own budgets (rate-limit-headers.ts), which a shared cache would replay to every other caller. */
export function isCallerBudgetHeader(name: string): boolean {
  const lower = name.toLowerCase();
  return lower.startsWith('ratelimit') || lower === 'retry-after';
}

/** Credentials on a request: its answer is never sent as public. */
function carriesCredentials(request: RequestHead): boolean {
  return request.headers.has('authorization') || request.headers.has('cookie');
}

export interface PublicAnswerInput {
  readonly request: RequestHead;
  /** The request named a persisted operation (only those are offered to shared caches). */
  readonly persisted: boolean;
  /** The document's scope (cache-scope.ts). */
  readonly isPrivate: boolean;
  /**
   * The document's smallest @cacheControl maxAge (cache-scope.ts `maxAgeOf`); fields without one do not
   * lower it (not Apollo's 0) because the response cache's entry TTL (@envelop/response-cache) ignores
   * them too, so a shared cache never keeps an answer longer than the gateway's own cache would.
   */
  readonly maxAge: number | undefined;
}

/** The max-age a shared cache may keep this request's answer for, or undefined when it must not keep it. */
export function publicMaxAgeOf(input: PublicAnswerInput): number | undefined {
  if (input.request.method !== 'GET' || !input.persisted || input.isPrivate || carriesCredentials(input.request)) return undefined;
  return input.maxAge !== undefined && input.maxAge > 0 ? input.maxAge : undefined;
}

/** Cache-Control of an answer without errors: public when `publicMaxAge` is set, else private, no-cache. */
export function cacheControlOf(publicMaxAge: number | undefined, staleWhileRevalidateSeconds: number): string {
  if (publicMaxAge === undefined) return PRIVATE_CACHE_CONTROL;
  const stale = staleWhileRevalidateSeconds > 0 ? `, stale-while-revalidate=${staleWhileRevalidateSeconds}` : '';
  return `public, max-age=${publicMaxAge}${stale}`;
}

// The in-memory store hands back the same `data` object on every hit: hash it once per media type.
const etagsByData = new WeakMap<object, Map<string, string>>();

/**
 * A strong ETag of the representation: the body is the serialised data, and the media type is the
 * other thing that differs between two answers of the same URL (Vary: Accept), so both are hashed.
 * A 304 then always means "what you hold is byte for byte what you would get".
 */
export function etagOf(data: unknown, mediaType: string): string {
  const memo = typeof data === 'object' && data !== null ? etagsByData.get(data) : undefined;
  const known = memo?.get(mediaType);
  if (known !== undefined) return known;
  const etag = `"${sha256Hex(`${mediaType}\n${JSON.stringify(data) ?? ''}`).slice(0, 32)}"`;
  if (typeof data === 'object' && data !== null) {
    const byType = memo ?? new Map<string, string>();
    byType.set(mediaType, etag);
    if (memo === undefined) etagsByData.set(data, byType);
  }
  return etag;
}

/** RFC 9110 weak comparison against an If-None-Match list (or `*`), as If-None-Match requires. */
export function matchesIfNoneMatch(header: string | null | undefined, etag: string): boolean {
  if (!header) return false;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
  return header.split(',').some((tag) => tag.trim() === '*' || opaque(tag) === opaque(etag));
}
