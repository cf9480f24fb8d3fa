// Loopback node:http servers for the src/http tests: scripted by a handler that sees the
// 1-based request number, record every arrival, and count open sockets.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { AppError } from '../../src/errors/app-error';

export interface Arrival {
  readonly n: number;
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
  /** Arrival time from the `now` given to the server (a manual clock in most tests). */
  readonly at: number;
}

export type Handler = (req: IncomingMessage, res: ServerResponse, arrival: Arrival) => void | Promise<void>;

export interface Loopback extends AsyncDisposable {
  readonly url: string;
  readonly arrivals: Arrival[];
  /** Sockets currently open toward the server. */
  openSockets(): number;
  /** Resolves once every socket toward the server has closed. */
  whenNoSockets(): Promise<void>;
  close(): Promise<void>;
}

export async function startLoopback(handler: Handler, now: () => number = Date.now): Promise<Loopback> {
  const arrivals: Arrival[] = [];
  const sockets = new Set<Socket>();
  let idle: (() => void)[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const arrival: Arrival = {
        n: arrivals.length + 1,
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        at: now(),
      };
      arrivals.push(arrival);
      void Promise.resolve(handler(req, res, arrival)).catch(() => res.destroy());
    });
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => {
      sockets.delete(socket);
      if (sockets.size > 0) return;
      for (const resolve of idle) resolve();
      idle = [];
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const close = async (): Promise<void> => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return {
    url: `http://127.0.0.1:${port}`,
    arrivals,
    openSockets: () => sockets.size,
    whenNoSockets: () => (sockets.size === 0 ? Promise.resolve() : new Promise<void>((resolve) => idle.push(resolve))),
    close,
    [Symbol.asyncDispose]: close,
  };
}

export function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** The AppError a promise rejects with (fails the test when it resolves or rejects with something else). */
export async function rejection(promise: Promise<unknown>): Promise<AppError> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof AppError)) throw new Error(`expected an AppError, got ${String(error)}`);
  return error;
}
