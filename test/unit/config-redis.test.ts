// REDIS_CLUSTER_NODES, REDIS_SENTINELS and REDIS_TIMEOUT_MS (issue 26): parsed at boot, each bad entry named.
import { describe, expect, it } from 'vitest';
import { buildConfig, parseEnv } from '../../src/server/config';
import { configProblems, VALID_ENV } from '../helpers/valid-env';

describe('Redis topology settings', () => {
  it('reads cluster seed nodes (IPv4, names, bracketed IPv6) and the defaults', () => {
    const config = buildConfig(parseEnv({ ...VALID_ENV, REDIS_CLUSTER_NODES: '10.0.0.1:7000, redis-b:7001,[::1]:7002' }));
    expect(config.redis).toEqual({
      clusterNodes: [
        { host: '10.0.0.1', port: 7000 },
        { host: 'redis-b', port: 7001 },
        { host: '::1', port: 7002 },
      ],
      sentinels: [],
      sentinelName: 'mymaster',
      timeoutMs: 100,
    });
  });

  it('names each bad entry, a port out of range included, and cuts a long one', () => {
    expect(configProblems({ ...VALID_ENV, REDIS_SENTINELS: `s1:26379,nohost,s2:70000,${'x'.repeat(400)}:1` })).toEqual([
      'REDIS_SENTINELS: "nohost": expected host:port',
      'REDIS_SENTINELS: "s2:70000": expected host:port',
      `REDIS_SENTINELS: "${'x'.repeat(80)}": expected host:port`,
    ]);
  });

  it('refuses a Cluster and Sentinel at once, a timeout above 5000 ms and a bad master name', () => {
    expect(configProblems({ ...VALID_ENV, REDIS_CLUSTER_NODES: 'a:1', REDIS_SENTINELS: 'b:2' })).toEqual([
      'REDIS_SENTINELS: set either REDIS_CLUSTER_NODES (Redis Cluster) or REDIS_SENTINELS (Sentinel), not both',
    ]);
    expect(configProblems({ ...VALID_ENV, REDIS_TIMEOUT_MS: '5001', REDIS_SENTINEL_NAME: 'my master' })).toEqual([
      'REDIS_SENTINEL_NAME: expected a master name (letters, digits, . _ -)',
      'REDIS_TIMEOUT_MS: expected at most 5000',
    ]);
    expect(buildConfig(parseEnv({ ...VALID_ENV, REDIS_TIMEOUT_MS: '5000' })).redis.timeoutMs).toBe(5000);
  });
});
