// The one Redis connection of a gateway process (from REDIS_URL): rate-limit counters, the response
// cache and any other shared state use it. Created and closed by createGateway.
import { Redis } from 'ioredis';

export type { Redis } from 'ioredis';

export interface RedisOptions {
  /** How long one command may take before it fails (the callers then fall back to local state). @default 1000 */
  readonly commandTimeoutMs?: number;
  /** @default 2000 */
  readonly connectTimeoutMs?: number;
}

export function createRedis(url: string, options: RedisOptions = {}): Redis {
  const redis = new Redis(url, {
    // While Redis is away (or not connected yet) a command fails at once instead of waiting in a
    // queue for the next reconnection: every user of this connection has a local fallback (memory
    // limiter, cache miss), which beats adding seconds to every request.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: options.commandTimeoutMs ?? 1000,
    connectTimeout: options.connectTimeoutMs ?? 2000,
    enableAutoPipelining: true,
  });
  // Errors are reported by the commands that fail; without a listener ioredis would print each
  // reconnection attempt as an unhandled 'error' event.
  redis.on('error', () => undefined);
  return redis;
}

/** Closes gracefully (pending replies arrive), or drops the socket if Redis does not answer. */
export async function closeRedis(redis: Redis): Promise<void> {
  if (redis.status === 'end') return;
  try {
    await redis.quit();
  } catch {
    redis.disconnect();
  }
}

/** Resolves true once the connection is ready (at once if it is), false after `timeoutMs`. */
export async function redisReady(redis: Redis, timeoutMs = 2000): Promise<boolean> {
  if (redis.status === 'ready') return true;
  return new Promise<boolean>((resolve) => {
    const done = (ready: boolean) => {
      clearTimeout(timer);
      redis.off('ready', onReady);
      resolve(ready);
    };
    const onReady = () => done(true);
    const timer = setTimeout(() => done(false), timeoutMs);
    redis.once('ready', onReady);
  });
}
