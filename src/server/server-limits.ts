// The bounds of a node:http server that serves the gateway: header and request timeouts, keep-alive,
// a connection cap, and one log line per request Node refuses. Applied at creation to the servers we
// own (standalone, custom server) and, from the API route, to the server of `next start`, which Next
// creates with Node's defaults (a body trickled byte by byte held a connection for minutes).
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { Server as HttpServer } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ServerConfig } from '../config';
import type { Logger } from '../observability/logger';

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

const applied = new WeakSet<Server>();

/**
 * Applies the timeouts and the cap (those Node does not take at creation too) and logs what Node
 * refuses; once per server, whoever asks first.
 */
export function applyServerLimits(server: Server, limits: ServerConfig, logger: Logger | undefined): void {
  if (applied.has(server)) return;
  applied.add(server);
  // Node reads these two on every check of its connections, so they hold on a server created without them.
  server.headersTimeout = limits.headersTimeoutMs;
  server.requestTimeout = limits.requestTimeoutMs;
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


/** The node:http server a request arrived on (`next start`'s own, under the API route). */
export function serverOf(req: IncomingMessage): Server | undefined {
  const server: unknown = (req.socket as { server?: unknown }).server;
  return server instanceof HttpServer ? server : undefined;
}
