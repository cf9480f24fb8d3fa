// The same Yoga behind a plain node:http server (tests, benchmark, and deployments that skip
// Next's router): measures the gateway apart from Next.js overhead.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { ServerConfig } from '../config';
import { SERVER_DEFAULTS } from '../config/env';
import type { Logger } from '../observability/logger';
import { cachedGetLaneOf, type GatewayYoga } from './yoga';

export interface NodeServerHandle extends AsyncDisposable {
  readonly url: string;
  readonly server: Server;
  close(): Promise<void>;
}

export interface NodeServerOptions {
  /** @default 0 (a free port) */
  readonly port?: number;
  /** @default '127.0.0.1' */
  readonly host?: string;
  /**
   * Serves every path that is not the gateway's (`/api/graphql`, `/api/health/*`, `/api/metrics`):
   * Next.js's request handler in the custom-server deployment. @default none (yoga answers 404)
   */
  readonly fallback?: (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;
  /** Header, request and keep-alive timeouts and the connection cap (`config.server`, SERVER_*). @default SERVER_DEFAULTS */
  readonly limits?: ServerConfig;
  /** Gets one line per request refused by Node (408 on a timeout, 400, 431) and per burst of connections over the cap. @default none (nothing logged) */
  readonly logger?: Logger;
}

// Node's own answers to a request it refuses before any handler (lib/_http_server.js), written by us
// because listening to 'clientError' (to log) turns Node's default answer off.
const REFUSALS: Readonly<Record<string, { readonly status: number; readonly wire: string }>> = {
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, wire: 'HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n' },
  HPE_HEADER_OVERFLOW: { status: 431, wire: 'HTTP/1.1 431 Request Header Fields Too Large\r\nConnection: close\r\n\r\n' },
  HPE_CHUNK_EXTENSIONS_OVERFLOW: { status: 413, wire: 'HTTP/1.1 413 Payload Too Large\r\nConnection: close\r\n\r\n' },
};
const BAD_REQUEST = { status: 400, wire: 'HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n' };
// A client that went away mid-request: nothing to answer, nothing worth a line.
const CLIENT_GONE = new Set(['ECONNRESET', 'EPIPE', 'HPE_INVALID_EOF_STATE']);
/** At most one line per this interval about connections refused over the cap (a flood must not flood the log). */
const DROP_LOG_INTERVAL_MS = 1000;

/**
 * How often Node looks for requests past their header or request timeout: its default (30 s) would
 * let a trickled body live up to 30 s beyond the timeout, so a quarter of the shorter timeout, 10 ms to 1 s.
 */
export function connectionsCheckingIntervalOf(limits: ServerConfig): number {
  return Math.min(1000, Math.max(10, Math.floor(Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs) / 4)));
}

/** Applies the timeouts and the cap Node does not take at creation, and logs what Node refuses. */
function bound(server: Server, limits: ServerConfig, logger: Logger | undefined): void {
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
  server.maxConnections = limits.maxConnections;
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    const code = typeof error.code === 'string' ? error.code.slice(0, 40) : 'UNKNOWN';
    const refusal = REFUSALS[code] ?? BAD_REQUEST;
    // Node's own rule: answer only when no response to this request has started on the socket
    // (`_httpMessage` is the response Node attached to it; internal, but what Node itself reads).
    const inFlight = (socket as Duplex & { _httpMessage?: ServerResponse | null })._httpMessage;
    const answered = socket.writable && !CLIENT_GONE.has(code) && (inFlight == null || !inFlight.headersSent);
    if (answered) socket.write(refusal.wire);
    socket.destroy();
    // Only bounded fields: Node's code and our status, never the request's bytes (parse errors carry them).
    if (!CLIENT_GONE.has(code)) logger?.warn({ code, status: answered ? refusal.status : undefined }, 'http request refused by the server');
  });
  if (logger === undefined) return;
  let lastLineAt = Number.NEGATIVE_INFINITY;
  let dropped = 0;
  server.on('drop', () => {
    dropped++;
    const now = Date.now();
    if (now - lastLineAt < DROP_LOG_INTERVAL_MS) return;
    logger.warn({ dropped, maxConnections: limits.maxConnections }, 'connections refused: too many open');
    lastLineAt = now;
    dropped = 0;
  });
}

const GATEWAY_PATHS = /^\/api\/(graphql|health\/|metrics)(\/|\?|$)/;

/** A node:http handler that settles once the request has been answered. */
export type GatewayNodeHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/**
 * Yoga behind the node lane for cached GETs, when the gateway has one (cached-get-lane.ts): the
 * node:http handler of the gateway's paths, here and in the Next.js API route (src/pages/api/graphql.ts).
 */
export function gatewayHandler(yoga: GatewayYoga): GatewayNodeHandler {
  const lane = cachedGetLaneOf(yoga);
  if (lane === undefined) return (req, res) => yoga(req, res);
  return (req, res) => {
    if (!lane.accepts(req)) return yoga(req, res);
    return lane.serve(req, res).then(
      (answered) => (answered ? undefined : yoga(req, res)),
      // The lane does not reject; should it ever, yoga answers what was not answered yet.
      () => (res.headersSent ? undefined : yoga(req, res)),
    );
  };
}

export async function startNodeServer(yoga: GatewayYoga, options: NodeServerOptions = {}): Promise<NodeServerHandle> {
  const { fallback } = options;
  const limits = options.limits ?? SERVER_DEFAULTS;
  const gateway = gatewayHandler(yoga);
  const timeouts = {
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    connectionsCheckingInterval: connectionsCheckingIntervalOf(limits),
  };
  const server = fallback
    ? createServer(timeouts, (req, res) => void (GATEWAY_PATHS.test(req.url ?? '') ? gateway(req, res) : fallback(req, res)))
    : createServer(timeouts, (req, res) => void gateway(req, res));
  bound(server, limits, options.logger);
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  const close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return { url: `http://${host}:${port}`, server, close, [Symbol.asyncDispose]: close };
}
