// The Prometheus scrape: `/api/metrics` on the main port only with the bearer token (404 when no
// token is configured: not public by default), and `GET /metrics` on an optional separate listener.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import { secretEquals } from '../config/secret-equal';
import { NOT_FOUND, type OpsReply } from './ops-reply';

export const METRICS_PATH = '/api/metrics';

/** Constant-time comparison of `Authorization: Bearer <token>` with the configured token. */
export function bearerMatches(authorization: string | null | undefined, token: string): boolean {
  const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
  return match?.[1] !== undefined && secretEquals(match[1], token);
}

/**
 * The scrape answer. With `token` undefined the endpoint does not exist (404), unless `open` says
 * the caller is the separate, internal listener.
 */
export async function metricsReply(registry: Registry, authorization: string | null | undefined, token: string | undefined, open = false): Promise<OpsReply> {
  if (token === undefined && !open) return NOT_FOUND;
  if (token !== undefined && !bearerMatches(authorization, token)) {
    return { status: 401, headers: { 'www-authenticate': 'Bearer', 'content-type': 'text/plain; charset=utf-8' }, body: 'Unauthorized' };
  }
  return { status: 200, headers: { 'content-type': registry.contentType, 'cache-control': 'no-store' }, body: await registry.metrics() };
}

export interface MetricsServerHandle {
  readonly url: string;
  readonly server: Server;
  close(): Promise<void>;
}

export interface MetricsServerOptions {
  readonly port: number;
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** When set, the listener also demands the bearer token. */
  readonly token?: string | undefined;
}

/** A listener that answers only `GET /metrics` (for a scraper on an internal network). */
export async function startMetricsServer(registry: Registry, options: MetricsServerOptions): Promise<MetricsServerHandle> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const reply = req.method === 'GET' && path === '/metrics' ? metricsReply(registry, req.headers.authorization, options.token, true) : Promise.resolve(NOT_FOUND);
    reply.then(
      (r) => res.writeHead(r.status, r.headers).end(r.body),
      () => res.writeHead(500).end(),
    );
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
