// The undici connection pool of one provider origin: keep-alive sockets and explicit
// timeouts, because undici's 300 s header/body defaults would outlive any GraphQL request.
import { Pool } from 'undici';

export interface PoolOptions {
  /** Sockets kept for the origin. */
  readonly connections: number;
  readonly connectMs: number;
  readonly keepAliveMs: number;
  /** Backstop for headers/body; each request sets its own, smaller value. */
  readonly attemptMs: number;
}

export function createPool(origin: string, options: PoolOptions): Pool {
  return new Pool(origin, {
    connections: options.connections,
    pipelining: 1,
    connect: { timeout: options.connectMs },
    headersTimeout: options.attemptMs,
    bodyTimeout: options.attemptMs,
    keepAliveTimeout: options.keepAliveMs,
    keepAliveMaxTimeout: options.keepAliveMs,
  });
}
