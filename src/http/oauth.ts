// OAuth2 client-credentials tokens for one provider: cached until shortly before expiry,
// one refresh in flight at a time, optionally shared with other instances through Redis, where a
// lock (SET NX with the token timeout as TTL) lets one instance fetch while the others wait for the
// token it writes; a lock holder that dies only costs the others one token timeout.
// Neither the secret nor a token ever appears in an error message or meta.
import type { Dispatcher } from 'undici';
import { AppError, upstreamError } from '../errors/app-error';
import type { Clock } from './clock';
import { attemptSignal, AttemptAbort, within } from './deadline';
import { sendOnce } from './dispatch';
import { publishToken } from './events';
import type { CallContext } from './types';

export interface TokenSourceOptions {
  readonly provider: string;
  readonly tokenUrl: URL;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly scope: string | undefined;
  readonly skewMs: number;
  /** Timeout of one token request (real time). */
  readonly timeoutMs: number;
  readonly clock: Clock;
  /** Pool toward the token endpoint's origin. */
  readonly pool: Dispatcher;
  /** Redis sharing: one refresh across the instances (see the lock above). */
  readonly shared: { readonly redis: SharedTokenStore; readonly key: string } | undefined;
}

/** The Redis commands the token cache needs (an ioredis client satisfies it). */
export interface SharedTokenStore {
  get(key: string): Promise<string | null>;
  set(key: string, value: string, px: 'PX', ttlMs: number): Promise<unknown>;
  set(key: string, value: string, px: 'PX', ttlMs: number, nx: 'NX'): Promise<'OK' | null>;
  del(key: string): Promise<number>;
}

export interface TokenSource {
  /** A valid token, fetching one if needed; bounded by the caller's deadline and signal. */
  get(ctx: CallContext): Promise<string>;
  /** A 401 proved `token` dead: the next `get` refreshes (unless someone already did). */
  invalidate(token: string): void;
}

interface CachedToken {
  readonly token: string;
  /** When to stop using it (expiry minus skew), clock ms. */
  readonly refreshAt: number;
  readonly expiresInSeconds: number;
}

// A provider that omits expires_in gets a conservative lifetime.
const DEFAULT_EXPIRES_IN_SECONDS = 300;
// A slow Redis is treated as absent: the token endpoint is the source of truth.
const REDIS_TIMEOUT_MS = 100;
// How often an instance that lost the refresh lock looks for the winner's token.
const SHARED_POLL_MS = 25;

export function createTokenSource(options: TokenSourceOptions): TokenSource {
  const { provider, clock } = options;
  let cached: CachedToken | undefined;
  let inFlight: Promise<CachedToken> | undefined;
  let revoked: string | undefined;
  let unauthorized = false;

  const authFailed = (meta: Record<string, unknown>, cause?: unknown): AppError =>
    upstreamError('UPSTREAM_AUTH_FAILED', provider, { meta: { stage: 'token', ...meta }, cause });

  const toCached = (token: string, expiresInSeconds: number, obtainedAt: number): CachedToken => {
    const lifetimeMs = expiresInSeconds * 1000;
    // A skew longer than the lifetime would refresh on every call; keep at least half.
    const skew = Math.min(options.skewMs, lifetimeMs / 2);
    return { token, refreshAt: obtainedAt + lifetimeMs - skew, expiresInSeconds };
  };

  const readShared = async (): Promise<CachedToken | undefined> => {
    if (options.shared === undefined) return undefined;
    try {
      const raw = await within(options.shared.redis.get(options.shared.key), REDIS_TIMEOUT_MS);
      if (raw === null) return undefined;
      const parsed: unknown = JSON.parse(raw);
      if (typeof parsed !== 'object' || parsed === null) return undefined;
      const { token, refreshAt, expiresInSeconds } = parsed as Record<string, unknown>;
      if (typeof token !== 'string' || typeof refreshAt !== 'number' || typeof expiresInSeconds !== 'number') return undefined;
      if (token === revoked || refreshAt <= clock.now()) return undefined;
      return { token, refreshAt, expiresInSeconds };
    } catch {
      // Redis down: fall back to this instance's own refresh.
      return undefined;
    }
  };

  const writeShared = async (entry: CachedToken): Promise<void> => {
    if (options.shared === undefined) return;
    const ttl = Math.floor(entry.refreshAt - clock.now());
    if (ttl <= 0) return;
    try {
      await within(options.shared.redis.set(options.shared.key, JSON.stringify(entry), 'PX', ttl), REDIS_TIMEOUT_MS);
    } catch {
      // Sharing is an optimisation; the local cache still works.
    }
  };

  const fetchToken = async (): Promise<CachedToken> => {
    const form = new URLSearchParams({ grant_type: 'client_credentials' });
    if (options.scope !== undefined) form.set('scope', options.scope);
    const basic = Buffer.from(
      `${encodeURIComponent(options.clientId)}:${encodeURIComponent(options.clientSecret)}`,
    ).toString('base64');
    let res;
    try {
      res = await sendOnce(
        options.pool,
        {
          method: 'POST',
          path: `${options.tokenUrl.pathname}${options.tokenUrl.search}`,
          headers: {
            authorization: `Basic ${basic}`,
            'content-type': 'application/x-www-form-urlencoded',
            accept: 'application/json',
          },
          body: form.toString(),
        },
        options.timeoutMs,
        undefined,
      );
    } catch (error) {
      throw authFailed({ reason: error instanceof AttemptAbort ? 'timeout' : 'network' }, error);
    }
    if (res.status !== 200) throw authFailed({ status: res.status });
    let body: unknown;
    try {
      body = JSON.parse(res.text);
    } catch (error) {
      throw authFailed({ status: res.status, reason: 'invalid_json' }, error);
    }
    const { access_token: token, expires_in: expiresIn } = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
    if (typeof token !== 'string' || token === '') throw authFailed({ status: res.status, reason: 'no_access_token' });
    const seconds = typeof expiresIn === 'number' && expiresIn > 0 ? expiresIn : DEFAULT_EXPIRES_IN_SECONDS;
    return toCached(token, seconds, clock.now());
  };

  /** True when this instance may fetch: it took the lock, or there is no lock to take (no Redis, Redis down). */
  const takeLock = async (): Promise<boolean> => {
    if (options.shared === undefined) return true;
    try {
      const took = await within(options.shared.redis.set(`${options.shared.key}:lock`, String(clock.now()), 'PX', options.timeoutMs, 'NX'), REDIS_TIMEOUT_MS);
      return took === 'OK';
    } catch {
      return true;
    }
  };

  const releaseLock = async (): Promise<void> => {
    if (options.shared === undefined) return;
    // Best effort: the TTL frees it anyway.
    await within(options.shared.redis.del(`${options.shared.key}:lock`), REDIS_TIMEOUT_MS).catch(() => undefined);
  };

  const lockHeld = async (): Promise<boolean> => {
    if (options.shared === undefined) return false;
    try {
      return (await within(options.shared.redis.get(`${options.shared.key}:lock`), REDIS_TIMEOUT_MS)) !== null;
    } catch {
      return false;
    }
  };

  /**
   * Another instance holds the lock: its token, once written; undefined when the lock went away
   * without one (its fetch failed) or after one token timeout, and this instance fetches itself.
   */
  const awaitShared = async (): Promise<CachedToken | undefined> => {
    const until = clock.now() + options.timeoutMs;
    while (clock.now() < until) {
      await clock.sleep(SHARED_POLL_MS);
      const shared = await readShared();
      if (shared !== undefined || !(await lockHeld())) return shared;
    }
    return undefined;
  };

  const refresh = async (why: 'cold' | 'expired' | 'unauthorized'): Promise<CachedToken> => {
    const started = clock.now();
    let shared = await readShared();
    const locked = shared === undefined ? await takeLock() : false;
    if (shared === undefined && !locked) shared = await awaitShared();
    if (shared !== undefined) {
      publishToken({ provider, outcome: 'shared', reason: why, durationMs: clock.now() - started, expiresInSeconds: shared.expiresInSeconds });
      return shared;
    }
    try {
      const fresh = await fetchToken();
      await writeShared(fresh);
      if (locked) await releaseLock();
      publishToken({ provider, outcome: 'fetched', reason: why, durationMs: clock.now() - started, expiresInSeconds: fresh.expiresInSeconds });
      return fresh;
    } catch (error) {
      if (locked) await releaseLock();
      publishToken({ provider, outcome: 'failed', reason: why, durationMs: clock.now() - started, expiresInSeconds: undefined });
      throw error;
    }
  };

  const current = (): Promise<CachedToken> => {
    if (cached !== undefined && cached.refreshAt > clock.now()) return Promise.resolve(cached);
    if (inFlight !== undefined) return inFlight;
    const why = unauthorized ? 'unauthorized' : cached === undefined ? 'cold' : 'expired';
    unauthorized = false;
    inFlight = refresh(why)
      .then((entry) => {
        // A refresh that started before a 401 may have read the now-revoked token from Redis.
        if (entry.token !== revoked) cached = entry;
        return entry;
      })
      .finally(() => {
        inFlight = undefined;
      });
    return inFlight;
  };

  return {
    async get(ctx) {
      const remaining = ctx.deadlineAt - clock.now();
      if (remaining <= 0) throw upstreamError('UPSTREAM_TIMEOUT', provider, { meta: { stage: 'token' } });
      // The refresh is shared by every waiter, so one caller leaving must not cancel it.
      using waiter = attemptSignal(remaining, ctx.signal);
      const gaveUp = new Promise<never>((_, reject) => {
        waiter.signal.addEventListener('abort', () => reject(waiter.signal.reason), { once: true });
      });
      try {
        let entry = await Promise.race([current(), gaveUp]);
        if (entry.token === revoked) {
          // Joined a refresh that brought back the revoked token: one more, fresh from the endpoint.
          unauthorized = true;
          entry = await Promise.race([current(), gaveUp]);
        }
        return entry.token;
      } catch (error) {
        if (error instanceof AttemptAbort) {
          throw upstreamError('UPSTREAM_TIMEOUT', provider, { meta: { stage: 'token', reason: error.why } });
        }
        throw error;
      }
    },
    invalidate(token) {
      if (cached?.token !== token) return;
      cached = undefined;
      revoked = token;
      unauthorized = true;
    },
  };
}
