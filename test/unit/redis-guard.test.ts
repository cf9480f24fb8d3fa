// The guard on Redis itself (src/server/redis-guard.ts): a breaker over Redis calls, time from a manual clock.
import { describe, expect, it } from 'vitest';
import { createRedisGuard, RedisUnavailable } from '../../src/server/redis-guard';
import { createManualClock } from '../helpers/manual-clock';

const refused = () => Promise.reject(new Error('connect ECONNREFUSED'));
function replyError(): Promise<never> {
  const error = new Error('WRONGTYPE Operation against a key holding the wrong kind of value');
  error.name = 'ReplyError';
  return Promise.reject(error);
}

describe('Redis guard', () => {
  it('opens after 5 failed calls, short-circuits without calling, and closes after one good probe', async () => {
    const clock = createManualClock();
    const changes: string[] = [];
    const guard = createRedisGuard({ clock, halfOpenAfterMs: 1000, onBreakerChange: (from, to) => changes.push(`${from}>${to}`) });
    for (let i = 0; i < 5; i++) await expect(guard.run(refused)).rejects.toThrow('ECONNREFUSED');
    let called = 0;
    const counted = () => {
      called++;
      return Promise.resolve('OK');
    };
    await expect(guard.run(counted)).rejects.toEqual(new RedisUnavailable('open'));
    expect(called).toBe(0);
    clock.advance(999);
    await expect(guard.run(counted)).rejects.toBeInstanceOf(RedisUnavailable);
    clock.advance(1);
    expect(await guard.run(counted)).toBe('OK');
    expect(called).toBe(1);
    expect(changes).toEqual(['closed>open', 'open>half-open', 'half-open>closed']);
    expect(guard.stats()).toEqual({ breaker: 'closed', calls: { ok: 1, error: 5, timeout: 0, short_circuited: 2 } });
  });

  it('counts a Redis reply error as Redis answering: 5 of them leave the breaker closed', async () => {
    const guard = createRedisGuard({ clock: createManualClock() });
    for (let i = 0; i < 5; i++) await expect(guard.run(replyError)).rejects.toThrow('WRONGTYPE');
    expect(guard.stats()).toEqual({ breaker: 'closed', calls: { ok: 0, error: 5, timeout: 0, short_circuited: 0 } });
  });

  it('rejects a call that does not settle with RedisUnavailable(timeout)', async () => {
    const guard = createRedisGuard({ timeoutMs: 1 });
    await expect(guard.run(() => new Promise<never>(() => undefined))).rejects.toEqual(new RedisUnavailable('timeout'));
    expect(guard.stats().calls.timeout).toBe(1);
  });
});
