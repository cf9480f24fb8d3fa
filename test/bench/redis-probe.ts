// The bench's own view of the Redis the two-instances mode shares: connect (or learn it is not
// there), count commands and keys, wait for a key to appear, and delete a run's keys afterwards.
import { Redis } from 'ioredis';

export interface RedisCounters {
  readonly commands: number;
  /** EVALSHA and EVAL calls (each a round trip running a script; the commands it runs are in `commands`). */
  readonly scripts: number;
  /** TIME calls: only the inbound budgets' lease script runs TIME (once a call), so these are its round trips. */
  readonly budgetScripts: number;
  readonly keys: number;
}

/** A connected client, or undefined when nothing answers at `url`. */
export async function connectRedis(url: string): Promise<Redis | undefined> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 2000, retryStrategy: () => null });
  try {
    await redis.connect();
    await redis.ping();
    return redis;
  } catch {
    redis.disconnect();
    return undefined;
  }
}

/** Commands the server has run (INFO commandstats, every client) and keys in the database. */
export async function redisCounters(redis: Redis | undefined): Promise<RedisCounters | undefined> {
  if (!redis) return undefined;
  const info = await redis.info('commandstats');
  let commands = 0;
  let scripts = 0;
  let budgetScripts = 0;
  for (const match of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
    commands += Number(match[2]);
    if (match[1] === 'evalsha' || match[1] === 'eval') scripts += Number(match[2]);
    if (match[1] === 'time') budgetScripts += Number(match[2]);
  }
  return { commands, scripts, budgetScripts, keys: await redis.dbsize() };
}

/** Keys matching a glob pattern (SCAN, never KEYS). */
export async function scanKeys(redis: Redis, pattern: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    keys.push(...batch);
  } while (cursor !== '0');
  return keys;
}

/** Resolves with the matching keys once there is one, or with none after `timeoutMs`. */
export async function waitForKeys(redis: Redis, pattern: string, timeoutMs: number): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const keys = await scanKeys(redis, pattern);
    if (keys.length > 0 || Date.now() >= deadline) return keys;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Deletes every key under `prefix` (a run's own prefix); returns how many. */
export async function deletePrefix(redis: Redis, prefix: string): Promise<number> {
  const keys = await scanKeys(redis, `${prefix}*`);
  for (let i = 0; i < keys.length; i += 500) await redis.unlink(...keys.slice(i, i + 500));
  return keys.length;
}
