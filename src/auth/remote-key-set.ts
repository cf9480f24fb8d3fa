// An identity provider's JSON Web Key Set, fetched and kept for token verification. Key selection is
// jose's (createLocalJWKSet); fetching and caching are ours because jose's createRemoteJWKSet rejects
// every token once its cache is older than cacheMaxAge and the provider is down, does not start its
// cooldown on a failed fetch, and reads Date.now (see README "Callers and their tokens").
import { createLocalJWKSet, errors, type JSONWebKeySet, type JWTVerifyGetKey, type LocalJWKSet } from 'jose';
import { readWithin } from './read-within';

export interface RemoteKeySetOptions {
  /** The JWKS URL (JWT_JWKS_URL). */
  readonly url: string;
  /**
   * Shortest time between two fetches that a token with an unknown `kid` may cause, counted from the
   * last attempt, failed ones included: a flood of made-up kids costs the provider one fetch per window.
   * @default 30000
   */
  readonly cooldownMs?: number;
  /**
   * Age of the keys after which the next verification refetches them in the background (a key the
   * provider removed stops verifying); the keys in hand keep working meanwhile and when that fetch fails.
   * @default 600000
   */
  readonly refreshAfterMs?: number;
  /** Time one fetch may take, answer included. @default 5000 */
  readonly timeoutMs?: number;
  /** Clock of the cooldown and the refresh age. @default Date.now */
  readonly now?: () => number;
  /** Told about every failed fetch with a short reason (the gateway logs it); the URL is never in it. */
  readonly onFetchError?: (reason: string, error: unknown) => void;
}

export interface RemoteKeySet {
  /** The key resolver for jose's jwtVerify. */
  readonly getKey: JWTVerifyGetKey;
}

/** A larger answer is not a key set (real ones are a few KiB). */
const MAX_JWKS_BYTES = 256 * 1024;

class KeySetFetchError extends Error {
  constructor(
    readonly reason: string,
    options?: ErrorOptions,
  ) {
    super(`The identity provider's key set could not be fetched: ${reason}`, options);
    this.name = 'KeySetFetchError';
  }
}

function reasonOf(error: unknown): string {
  if (error instanceof KeySetFetchError) return error.reason;
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) return 'timeout';
  if (error instanceof errors.JWKSInvalid) return 'not a key set';
  const cause = error instanceof Error ? error.cause : undefined;
  const code = cause instanceof Error && 'code' in cause ? String(cause.code) : undefined;
  return code ? `network error ${code}` : 'network error';
}

/** The body as UTF-8 text, read no further than `maxBytes` (a larger one is cancelled, closing the connection). */
async function textWithin(response: Response, maxBytes: number): Promise<string> {
  const bytes = await readWithin(response.body, maxBytes);
  if (bytes === undefined) throw new KeySetFetchError('answer too large');
  return new TextDecoder().decode(bytes);
}

async function fetchKeySet(url: string, timeoutMs: number): Promise<LocalJWKSet> {
  // Redirects are not followed (as jose does): a key set that moved is a configuration change.
  const response = await fetch(url, { redirect: 'manual', headers: { accept: 'application/jwk-set+json, application/json' }, signal: AbortSignal.timeout(timeoutMs) });
  if (response.status !== 200) {
    await response.body?.cancel();
    throw new KeySetFetchError(`status ${response.status}`);
  }
  const declared = Number(response.headers.get('content-length') ?? 0);
  if (declared > MAX_JWKS_BYTES) {
    await response.body?.cancel();
    throw new KeySetFetchError('answer too large');
  }
  const text = await textWithin(response, MAX_JWKS_BYTES);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new KeySetFetchError('invalid JSON', { cause });
  }
  // createLocalJWKSet checks the shape itself and throws JWKSInvalid.
  return createLocalJWKSet(json as JSONWebKeySet);
}

/** How long fetched keys are used before a refresh in the background. */
export const DEFAULT_REFRESH_AFTER_MS = 600_000;

export function createRemoteKeySet(options: RemoteKeySetOptions): RemoteKeySet {
  const cooldownMs = options.cooldownMs ?? 30_000;
  const refreshAfterMs = options.refreshAfterMs ?? DEFAULT_REFRESH_AFTER_MS;
  const timeoutMs = options.timeoutMs ?? 5_000;
  const now = options.now ?? Date.now;
  let keys: LocalJWKSet | undefined;
  let fetchedAt = Number.NEGATIVE_INFINITY;
  let attemptedAt = Number.NEGATIVE_INFINITY;
  let pending: Promise<void> | undefined;

  // One fetch in flight at a time: every verification that needs it awaits the same promise.
  const refresh = (): Promise<void> => {
    pending ??= (async () => {
      attemptedAt = now();
      try {
        keys = await fetchKeySet(options.url, timeoutMs);
        fetchedAt = now();
      } catch (error) {
        const failure = error instanceof KeySetFetchError ? error : new KeySetFetchError(reasonOf(error), { cause: error });
        options.onFetchError?.(failure.reason, error);
        throw failure;
      } finally {
        pending = undefined;
      }
    })();
    return pending;
  };
  const mayFetch = () => now() - attemptedAt >= cooldownMs;

  const getKey: JWTVerifyGetKey = async (header, token) => {
    if (keys === undefined) {
      if (pending === undefined && !mayFetch()) throw new KeySetFetchError('unavailable, waiting out the cooldown');
      await refresh();
    } else if (pending === undefined && now() - fetchedAt >= refreshAfterMs && mayFetch()) {
      // Failures are reported through onFetchError; the keys in hand answer this verification.
      refresh().catch(() => undefined);
    }
    const tried = keys;
    if (tried === undefined) throw new KeySetFetchError('unavailable');
    try {
      return await tried(header, token);
    } catch (error) {
      if (!(error instanceof errors.JWKSNoMatchingKey)) throw error;
      // An unknown kid: the provider may have rotated. Join a fetch in flight, or start one unless cooling down.
      if (pending !== undefined) await pending.catch(() => undefined);
      else if (keys === tried && mayFetch()) await refresh();
      if (keys === tried || keys === undefined) throw error;
      return keys(header, token);
    }
  };
  return { getKey };
}
