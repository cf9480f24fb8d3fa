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
    // Fail a command fast instead of queueing it for minutes while Redis is away: every user of
    // this connection has a local fallback (memory limiter, cache miss).
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
