// Liveness and readiness for a load balancer. Live: the process answers. Ready: the configuration
// was valid (a gateway exists) and not every provider's circuit is open. Redis is reported, never
// fatal: every shared feature falls back to local state without it (README "Redis slow or down"),
// so a Redis outage answers 200 `degraded` instead of taking every replica out of the load
// balancer at once. Bodies name checks, never hosts.
import type { BreakerState } from './channels';
import { jsonReply, type OpsReply } from './ops-reply';

export const HEALTH_PATHS = { live: '/api/health/live', ready: '/api/health/ready' } as const;

/** What readiness needs of Redis (an ioredis client satisfies it). */
export interface RedisPing {
  ping(): Promise<unknown>;
  /** ioredis' connection state; a first connection still under way is waited for (within the timeout). */
  readonly status?: string;
  once?(event: 'ready', listener: () => void): unknown;
  off?(event: 'ready', listener: () => void): unknown;
}

const CONNECTING = new Set(['wait', 'connecting', 'connect']);

export interface HealthOptions {
  /** Current breaker state of every provider client. */
  readonly breakers: () => readonly BreakerState[];
  /** The gateway's Redis, when REDIS_URL is set. @default undefined (not checked) */
  readonly redis?: RedisPing | undefined;
  /** A ping slower than this counts as down (reported as `degraded`, still ready). @default 500 */
  readonly redisTimeoutMs?: number;
}

export type CheckResult = 'ok' | 'down' | 'all_open' | 'invalid' | 'off' | 'draining';

export interface Health {
  live(): OpsReply;
  ready(): Promise<OpsReply>;
  /** From now on readiness answers 503 (`checks.shutdown: 'draining'`): the process is shutting down. */
  startDraining(): void;
}

export function liveReply(): OpsReply {
  return jsonReply(200, { status: 'live' });
}

/** Checks whose failure leaves the instance serving (from local state): reported as `degraded`, still 200. */
const DEGRADING_CHECKS: ReadonlySet<string> = new Set(['redis']);

export function readinessReply(checks: Readonly<Record<string, CheckResult>>): OpsReply {
  const failed = Object.entries(checks).filter(([, c]) => c !== 'ok' && c !== 'off');
  const ready = failed.every(([name]) => DEGRADING_CHECKS.has(name));
  const status = !ready ? 'not_ready' : failed.length > 0 ? 'degraded' : 'ready';
  return jsonReply(ready ? 200 : 503, { status, checks });
}

async function pingWithin(redis: RedisPing, ms: number): Promise<CheckResult> {
  let timer: NodeJS.Timeout | undefined;
  let onReady: (() => void) | undefined;
  const late = new Promise<CheckResult>((resolve) => {
    timer = setTimeout(() => resolve('down'), ms);
    timer.unref();
  });
  const check = async (): Promise<CheckResult> => {
    // A client that refuses commands until connected (no offline queue) would fail a fresh probe.
    if (redis.status !== undefined && CONNECTING.has(redis.status) && redis.once !== undefined) {
      await new Promise<void>((resolve) => redis.once?.('ready', (onReady = resolve)));
    }
    await redis.ping();
    return 'ok';
  };
  try {
    return await Promise.race([check().catch((): CheckResult => 'down'), late]);
  } finally {
    clearTimeout(timer);
    if (onReady !== undefined) redis.off?.('ready', onReady);
  }
}

export function createHealth(options: HealthOptions): Health {
  const timeoutMs = options.redisTimeoutMs ?? 500;
  let draining = false;
  return {
    live: liveReply,
    startDraining() {
      draining = true;
    },
    async ready() {
      // No Redis ping while shutting down: the answer is 503 whatever it says, and Redis may be closing.
      if (draining) return readinessReply({ config: 'ok', shutdown: 'draining' });
      const states = options.breakers();
      const upstreams: CheckResult = states.length > 0 && states.every((s) => s === 'open') ? 'all_open' : 'ok';
      const redis: CheckResult = options.redis === undefined ? 'off' : await pingWithin(options.redis, timeoutMs);
      return readinessReply({ config: 'ok', redis, upstreams });
    },
  };
}
