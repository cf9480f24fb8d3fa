// The one Redis connection of a gateway process (REDIS_URL, or a Cluster from REDIS_CLUSTER_NODES, or a
// Sentinel-watched primary from REDIS_SENTINELS): rate-limit counters, the response cache and any
// other shared state use it, each call through the guard of redis-guard.ts. Created and closed by createGateway.
import { Cluster, Redis, type RedisOptions as IoRedisOptions } from 'ioredis';
import type { RedisConfig } from '../config';

export type { Redis, Cluster } from 'ioredis';

/** One server (or a Sentinel-watched primary) or a Cluster: every shared feature works with both. */
export type SharedRedis = Redis | Cluster;

export interface RedisOptions {
  /** How long one command may take before it fails (the callers then fall back to local state). @default 1000 */
  readonly commandTimeoutMs?: number;
  /** @default 2000 */
  readonly connectTimeoutMs?: number;
}

function connectionOptions(options: RedisOptions): IoRedisOptions {
  return {
    // While Redis is away (or not connected yet) a command fails at once instead of waiting in a
    // queue for the next reconnection: every user of this connection has a local fallback (memory
    // limiter, cache miss), which beats adding seconds to every request.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: options.commandTimeoutMs ?? 1000,
    connectTimeout: options.connectTimeoutMs ?? 2000,
    enableAutoPipelining: true,
  };
}

export function createRedis(url: string, options: RedisOptions = {}): Redis {
  const redis = new Redis(url, connectionOptions(options));
  // Errors are reported by the commands that fail; without a listener ioredis would print each
  // reconnection attempt as an unhandled 'error' event.
  redis.on('error', () => undefined);
  return redis;
}

/** True when the configuration names a Redis (a URL, cluster nodes or sentinels). */
export function redisConfigured(url: string | undefined, topology: RedisConfig): boolean {
  return url !== undefined || topology.clusterNodes.length > 0 || topology.sentinels.length > 0;
}

/** Credentials, database and TLS of REDIS_URL, for a Cluster's or Sentinel's connections. */
function credentialsOf(url: string | undefined): IoRedisOptions {
  if (url === undefined) return {};
  const parsed = new URL(url);
  const db = Number(parsed.pathname.slice(1));
  return {
    ...(parsed.username === '' ? {} : { username: decodeURIComponent(parsed.username) }),
    ...(parsed.password === '' ? {} : { password: decodeURIComponent(parsed.password) }),
    ...(Number.isInteger(db) && db > 0 ? { db } : {}),
    ...(parsed.protocol === 'rediss:' ? { tls: {} } : {}),
  };
}

/** The process's connection as configured: a Cluster, a Sentinel-watched primary, or one server. */
export function createSharedRedis(url: string | undefined, topology: RedisConfig, options: RedisOptions = {}): SharedRedis {
  const base = { ...connectionOptions(options), ...credentialsOf(url) };
  let redis: SharedRedis;
  if (topology.clusterNodes.length > 0) {
    redis = new Cluster(
      topology.clusterNodes.map((node) => ({ host: node.host, port: node.port })),
      { redisOptions: base, enableOfflineQueue: false, enableAutoPipelining: true, maxRedirections: 4, scaleReads: 'master' },
    );
  } else if (topology.sentinels.length > 0) {
    redis = new Redis({ ...base, sentinels: topology.sentinels.map((node) => ({ host: node.host, port: node.port })), name: topology.sentinelName });
  } else if (url !== undefined) {
    return createRedis(url, options);
  } else {
    throw new Error('createSharedRedis: no REDIS_URL, REDIS_CLUSTER_NODES or REDIS_SENTINELS');
  }
  redis.on('error', () => undefined);
  return redis;
}

/** Closes gracefully (pending replies arrive), or drops the socket if Redis does not answer. */
export async function closeRedis(redis: SharedRedis): Promise<void> {
  if (redis.status === 'end') return;
  try {
    await redis.quit();
  } catch {
    redis.disconnect();
  }
}

/** Resolves true once the connection is ready (at once if it is), false after `timeoutMs`. */
export async function redisReady(redis: SharedRedis, timeoutMs = 2000): Promise<boolean> {
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
