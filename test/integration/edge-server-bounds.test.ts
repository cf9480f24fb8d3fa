// The node:http mounts bound slow clients (issue 17, finding 8): a request whose headers or body
// never finish ends in 408 within SERVER_REQUEST_TIMEOUT_MS (plus Node's checking interval), with
// one log line; connections over SERVER_MAX_CONNECTIONS are closed at once. Real loopback sockets.
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEnv } from '../../src/server/config';
import { ConfigError, SERVER_DEFAULTS } from '../../src/config/env';
import { startNodeServer, type NodeServerHandle } from '../../src/server/node-server';
import { connectionsCheckingIntervalOf } from '../../src/server/server-limits';
import { captureLog } from '../helpers/log-capture';
import { VALID_ENV } from '../helpers/valid-env';
import { NO_CALLS, startWorld, type World } from '../helpers/world';

const log = captureLog();
let world: World;

beforeAll(async () => {
  world = await startWorld({
    env: { SERVER_HEADERS_TIMEOUT_MS: '200', SERVER_REQUEST_TIMEOUT_MS: '300' },
    telemetry: { logDestination: log.stream, logLevel: 'info', processMetrics: false },
  });
});
afterAll(() => world.close());

interface RawExchange {
  readonly socket: Socket;
  /** Everything the server sent, once it has closed the connection. */
  readonly closed: Promise<string>;
}

async function rawConnection(url: string): Promise<RawExchange> {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  let received = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => (received += chunk));
  // A reset by the server is a close too; the bytes received so far are the answer.
  socket.on('error', () => {});
  const closed = new Promise<string>((resolve) => socket.once('close', () => resolve(received)));
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  return { socket, closed };
}

async function ping(url: string): Promise<{ status: number; type: string | null; body: unknown }> {
  const res = await fetch(`${url}/api/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', connection: 'close' },
    body: JSON.stringify({ query: '{ ping }' }),
  });
  return { status: res.status, type: res.headers.get('content-type'), body: await res.json() };
}

const refusedLines = () => log.lines().filter((l) => l.msg === 'http request refused by the server');
const POST_HEAD = 'POST /api/graphql HTTP/1.1\r\nHost: gateway\r\nContent-Type: application/json\r\n';

describe('slow requests (SERVER_HEADERS_TIMEOUT_MS 200, SERVER_REQUEST_TIMEOUT_MS 300)', () => {
  let server: NodeServerHandle;
  beforeAll(async () => {
    server = await startNodeServer(world.gateway.yoga, { limits: world.config.server, logger: world.gateway.telemetry.logger });
  });
  afterAll(() => server.close());

  it('takes its bounds from the config, with a checking interval below the timeouts', () => {
    expect(world.config.server).toEqual({ headersTimeoutMs: 200, requestTimeoutMs: 300, keepAliveTimeoutMs: 5000, maxConnections: 10_000 });
    expect([server.server.headersTimeout, server.server.requestTimeout, server.server.keepAliveTimeout, server.server.maxConnections]).toEqual([200, 300, 5000, 10_000]);
    expect(connectionsCheckingIntervalOf(world.config.server)).toBe(50);
    expect(connectionsCheckingIntervalOf(SERVER_DEFAULTS)).toBe(1000);
  });

  it('answers 408 to a body that stops after 1 of 100 bytes, logs one bounded line, then serves the next request', async () => {
    log.clear();
    world.resetCounts();
    const { socket, closed } = await rawConnection(server.url);
    socket.write(`${POST_HEAD}Content-Length: 100\r\n\r\n{`);
    const answer = await closed;
    expect(answer).toBe('HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n');
    expect(refusedLines()).toHaveLength(1);
    const line = refusedLines()[0];
    expect({ level: line?.['level'], code: line?.['code'], status: line?.['status'] }).toEqual({ level: 'warn', code: 'ERR_HTTP_REQUEST_TIMEOUT', status: 408 });
    expect(JSON.stringify(line)).not.toContain('/api/graphql');
    expect(world.counts()).toEqual(NO_CALLS);

    const next = await ping(server.url);
    expect(next).toEqual({ status: 200, type: 'application/graphql-response+json; charset=utf-8', body: { data: { ping: true } } });
  });

  it('answers 408 to a body that keeps trickling but never finishes', async () => {
    log.clear();
    const { socket, closed } = await rawConnection(server.url);
    socket.write(`${POST_HEAD}Content-Length: 100000\r\n\r\n`);
    // One byte every 20 ms keeps the socket busy (no idle timeout would fire); 100000 bytes would take over half an hour.
    let sent = 0;
    const trickle = setInterval(() => {
      if (socket.writable) socket.write('x', () => sent++);
    }, 20);
    const answer = await closed.finally(() => clearInterval(trickle));
    expect(answer).toBe('HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n');
    expect(sent).toBeGreaterThan(0); // the body was still moving when the request timed out
    expect(refusedLines().map((l) => l['status'])).toEqual([408]);
  });

  it('answers 408 to headers that never finish', async () => {
    log.clear();
    const { socket, closed } = await rawConnection(server.url);
    socket.write('POST /api/graphql HTTP/1.1\r\nHost: gateway\r\n');
    expect(await closed).toBe('HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n');
    expect(refusedLines().map((l) => l['code'])).toEqual(['ERR_HTTP_REQUEST_TIMEOUT']);
  });

  it('does not count the time spent answering: a complete request outlives SERVER_REQUEST_TIMEOUT_MS', async () => {
    log.clear();
    world.resetCounts();
    // The catalog answers after 600 ms, twice the request timeout; only receiving the request is bounded.
    const slow = world.upstreams.catalog.fault({ kind: 'latency', ms: 600 }, { times: 1 });
    const res = await fetch(`${server.url}/api/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', connection: 'close' },
      body: JSON.stringify({ query: '{ product(id: "prod-1") { id } }' }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ data: { product: { id: 'prod-1' } } });
    expect(slow.applied).toBe(1);
    expect(world.counts().catalog).toBe(1);
    expect(refusedLines()).toEqual([]);
  });
});

describe('connection cap (maxConnections 2)', () => {
  it('closes a third connection at once, logs it, and serves again once the others are gone', async () => {
    log.clear();
    await using server = await startNodeServer(world.gateway.yoga, {
      limits: { ...world.config.server, maxConnections: 2 },
      logger: world.gateway.telemetry.logger,
    });
    const accepted: Socket[] = [];
    let onAccepted: () => void = () => {};
    server.server.on('connection', (socket: Socket) => {
      accepted.push(socket);
      onAccepted();
    });
    const twoAccepted = new Promise<void>((resolve) => (onAccepted = () => accepted.length === 2 && resolve()));
    const a = await rawConnection(server.url);
    const b = await rawConnection(server.url);
    await twoAccepted;

    const c = await rawConnection(server.url);
    expect(await c.closed).toBe('');
    expect(accepted).toHaveLength(2);
    const drops = log.lines().filter((l) => l.msg === 'connections refused: too many open');
    expect(drops.map((l) => [l['dropped'], l['maxConnections']])).toEqual([[1, 2]]);

    const serverSidesClosed = Promise.all(accepted.map((s) => new Promise((resolve) => s.once('close', resolve))));
    a.socket.destroy();
    b.socket.destroy();
    await Promise.all([a.closed, b.closed, serverSidesClosed]);
    const next = await ping(server.url);
    expect(next.status).toBe(200);
    expect(next.body).toEqual({ data: { ping: true } });
  });
});

describe('configuration', () => {
  it('refuses a header timeout longer than the request timeout, naming the variable', () => {
    const base = VALID_ENV;
    const refused = (() => {
      try {
        parseEnv({ ...base, SERVER_HEADERS_TIMEOUT_MS: '20000', SERVER_REQUEST_TIMEOUT_MS: '10000' });
      } catch (error) {
        return error;
      }
      return undefined;
    })();
    expect(refused).toBeInstanceOf(ConfigError);
    expect((refused as ConfigError).problems).toEqual(['SERVER_HEADERS_TIMEOUT_MS: expected at most SERVER_REQUEST_TIMEOUT_MS']);
    expect(parseEnv(base).SERVER_REQUEST_TIMEOUT_MS).toBe(SERVER_DEFAULTS.requestTimeoutMs);
  });
});
