// The optional purge hook: after an invalidation, POST `{ "tags": [...] }` to CACHE_PURGE_URL (a CDN's
// purge-by-tag API, or a relay in front of it), through undici with short timeouts of its own. It is
// called after the answer to the provider is settled and never fails the invalidation: an error is
// logged and counted, and the CDN copies then age out by their max-age.
import { request } from 'undici';

export interface PurgeHookOptions {
  readonly url: string;
  /** Sent as `Authorization: Bearer <token>`. @default none */
  readonly token?: string | undefined;
  /** Connect, headers and body timeouts of one call. @default 5000 */
  readonly timeoutMs?: number;
}

/** Resolves with the hook's status code; rejects on a network error or timeout. */
export type PurgeHook = (tags: readonly string[]) => Promise<number>;

/** Tags per call: purge APIs take a bounded list (Cloudflare: 30 tags per call on most plans, 1000 on Enterprise). */
export const MAX_TAGS_PER_PURGE = 1_000;

export function createPurgeHook(options: PurgeHookOptions): PurgeHook {
  const timeout = options.timeoutMs ?? 5_000;
  return async (tags) => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (options.token !== undefined) headers['authorization'] = `Bearer ${options.token}`;
    const response = await request(options.url, {
      method: 'POST',
      headers,
      body: JSON.stringify({ tags: tags.slice(0, MAX_TAGS_PER_PURGE) }),
      headersTimeout: timeout,
      bodyTimeout: timeout,
      signal: AbortSignal.timeout(timeout),
    });
    await response.body.dump();
    return response.statusCode;
  };
}
