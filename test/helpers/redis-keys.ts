// Cleanup of a test's own keys on a shared Redis: every key under its unique prefix, by SCAN (never
// KEYS, which blocks the server the other tests use), bounded so that a runaway prefix cannot loop.
import type { Redis } from '../../src/server/redis';

export async function deleteKeys(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  for (let round = 0; round < 10_000; round++) {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    if (keys.length > 0) await redis.del(...keys);
    cursor = next;
    if (cursor === '0') return;
  }
}
