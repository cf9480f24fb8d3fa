// Graceful shutdown of a gateway process, the same in every mount (node:http, custom server, next start):
// on SIGTERM or SIGINT readiness answers 503 at once; the listener keeps serving for the drain period
// (a load balancer needs that long to stop routing here), then stops accepting; in-flight requests
// finish up to a deadline; then logs, spans, Redis and the upstream pools are closed and the process exits 0.
import type { Server } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import type { ShutdownConfig } from '../config';
import type { Gateway } from './gateway';

export type ShutdownSignal = 'SIGTERM' | 'SIGINT';

/** What a container runtime sends (`docker stop`, Kubernetes) and what Ctrl-C sends. */
export const SHUTDOWN_SIGNALS: readonly ShutdownSignal[] = Object.freeze(['SIGTERM', 'SIGINT']);

/** How often a closing listener looks for connections that became idle (kept alive after their answer). */
const IDLE_SWEEP_MS = 50;
/** Beyond drain + timeout, this long for closing Redis, pools and telemetry before the process gives up (exit 1). */
const CLOSE_GRACE_MS = 5000;

export interface ShutdownTarget {
  /** Its readiness turns 503 first; it is closed last (gateway.close: yoga, upstream pools, Redis, then telemetry's flush). */
  readonly gateway: Pick<Gateway, 'health' | 'telemetry' | 'close'>;
  /** The listener to close after the drain; undefined when not known (under `next start` before the API route's first request). */
  readonly server: () => Server | undefined;
  /** Drain period and in-flight deadline (`config.shutdown`). */
  readonly timing: ShutdownConfig;
  /** Runs once the listener is closed, before the gateway closes (the custom server closes Next's app there). @default none */
  readonly afterListenerClosed?: () => Promise<void>;
}

/**
 * Stops accepting, closes kept-alive connections as soon as they are idle (Node's close() leaves a
 * connection that was busy open until its keep-alive timeout) and cuts the rest at `timeoutMs`.
 * Resolves with the number of connections cut.
 */
export function closeListener(server: Server, timeoutMs: number): Promise<number> {
  return new Promise((resolve) => {
    const sweep = setInterval(() => server.closeIdleConnections(), IDLE_SWEEP_MS);
    const deadline = setTimeout(() => {
      server.getConnections((_error, count) => {
        server.closeAllConnections();
        finish(count);
      });
    }, timeoutMs);
    let done = false;
    const finish = (cut: number) => {
      if (done) return;
      done = true;
      clearInterval(sweep);
      clearTimeout(deadline);
      resolve(cut);
    };
    // The callback fires once every connection has closed (or at once, with an error, if it was not listening).
    server.close(() => finish(0));
  });
}

export interface ShutdownReport {
  /** Connections still open at the in-flight deadline, closed mid-request. */
  readonly cutConnections: number;
}

/** The whole sequence; the caller exits afterwards. Its lines give the timeline (`shutdown: …`). */
export async function shutDown(target: ShutdownTarget, signal: ShutdownSignal): Promise<ShutdownReport> {
  const { logger } = target.gateway.telemetry;
  const { drainMs, timeoutMs } = target.timing;
  target.gateway.health.startDraining();
  logger.info({ signal, drainMs, timeoutMs }, 'shutdown: draining, readiness 503');
  if (drainMs > 0) await delay(drainMs);
  const server = target.server();
  const cut = server === undefined ? 0 : await closeListener(server, timeoutMs);
  logger.info({ cutConnections: cut, listener: server !== undefined }, 'shutdown: listener closed, requests finished');
  await target.afterListenerClosed?.();
  await target.gateway.close();
  return { cutConnections: cut };
}

/**
 * Runs `run` on the first SIGTERM or SIGINT, then exits 0 (1 if it failed or overran drain + timeout
 * + 5 s). Later signals are ignored: a process group and a parent forwarding signals both send one,
 * and Node's default action on the second would kill the process mid-drain.
 */
export function exitAfterShutdown(timing: ShutdownConfig, run: (signal: ShutdownSignal) => Promise<unknown>): void {
  let started = false;
  const onSignal = (signal: ShutdownSignal) => {
    if (started) return;
    started = true;
    const overrun = setTimeout(() => {
      console.error(`shutdown did not finish within ${timing.drainMs + timing.timeoutMs + CLOSE_GRACE_MS} ms; exiting`);
      process.exit(1);
    }, timing.drainMs + timing.timeoutMs + CLOSE_GRACE_MS);
    overrun.unref();
    run(signal).then(
      () => process.exit(0),
      (error: unknown) => {
        console.error('shutdown failed:', error);
        process.exit(1);
      },
    );
  };
  for (const signal of SHUTDOWN_SIGNALS) process.on(signal, onSignal);
}
