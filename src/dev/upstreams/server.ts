// The shared body of every simulated provider: a plain node:http server on loopback that records
// requests, adds latency, applies fault switches, and answers JSON. Providers only route.
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createFaultList, type Fault, type FaultOptions, type FaultSwitch, type RequestMatch } from './faults';
import { parseBody, type ParsedBody } from './body';
import { RequestLog, type ProviderRequest } from './request-log';

export type { ProviderRequest } from './request-log';

export interface ProviderReply {
  readonly status: number;
  /** Serialised as JSON. */
  readonly body?: unknown;
  /** Sent verbatim instead of `body` (for truncated-JSON faults). */
  readonly rawBody?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface ProviderServerOptions {
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** @default 0 (a free port) */
  readonly port?: number;
  /** Added to every answer. @default 0 */
  readonly latencyMs?: number;
}

const MAX_BODY_BYTES = 1_048_576;
const NO_QUERY: Readonly<Record<string, string>> = Object.freeze({});
const TRUNCATED_JSON = '{"data":[{"id":"trunc';

function flattenHeaders(raw: IncomingHttpHeaders): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const name in raw) {
    const value = raw[name];
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return (length !== undefined && length !== '0') || req.headers['transfer-encoding'] !== undefined;
}

export abstract class ProviderServer implements AsyncDisposable {
  /** Added to every answer (fault latency comes on top). */
  latencyMs: number;
  /** Turn off in long benchmarks so `requests` does not grow without bound; `count()` then sees nothing new. */
  recording = true;
  readonly #log = new RequestLog();
  readonly #abandoned = new RequestLog();
  readonly #faults = createFaultList();
  readonly #timers = new Set<ReturnType<typeof setTimeout>>();
  readonly #server: Server;
  readonly #host: string;
  readonly #port: number;
  #url = '';
  #closing: Promise<void> | undefined;

  protected constructor(
    readonly name: string,
    options: ProviderServerOptions,
  ) {
    this.latencyMs = options.latencyMs ?? 0;
    this.#host = options.host ?? '127.0.0.1';
    this.#port = options.port ?? 0;
    this.#server = createServer({ keepAlive: true }, (req, res) => this.#onRequest(req, res));
  }

  /** Routes one request; may mutate provider state (a write). Throwing answers 500. */
  protected abstract route(request: ProviderRequest): ProviderReply;
  /** A 200 body that is valid JSON but breaks this provider's contract. */
  protected abstract malformedBody(request: ProviderRequest): unknown;
  /** This provider's error body shape. */
  protected errorBody(code: string, _message: string): unknown {
    return { error: code };
  }

  /** `http://host:port`, set once listening. */
  get url(): string {
    return this.#url;
  }

  get requests(): readonly ProviderRequest[] {
    return this.#log.requests;
  }

  /** Recorded requests matching the filter (path exact, or prefix when it ends with `*`). */
  count(filter?: RequestMatch): number {
    return this.#log.count(filter);
  }

  resetRecords(): void {
    this.#log.reset();
    this.#abandoned.reset();
  }

  /**
   * Resolves once `count(filter) >= n` (at once if already true), so tests can act "after the
   * provider has received the call" without sleeping. Rejects when the provider closes first.
   */
  waitForRequests(n: number, filter?: RequestMatch): Promise<void> {
    return this.#log.waitFor(n, filter);
  }

  /** Held requests (`hold` fault) whose caller closed the connection before the answer. */
  abandoned(filter?: RequestMatch): number {
    return this.#abandoned.count(filter);
  }

  /** Resolves once `abandoned(filter) >= n`: "the gateway gave up this call", without sleeping. */
  waitForAbandoned(n: number, filter?: RequestMatch): Promise<void> {
    return this.#abandoned.waitFor(n, filter);
  }

  fault(fault: Fault, options?: FaultOptions): FaultSwitch {
    return this.#faults.add(fault, options);
  }

  clearFaults(): void {
    this.#faults.clear();
  }

  async listen(): Promise<this> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(this.#port, this.#host, () => {
        this.#server.off('error', reject);
        resolve();
      });
    });
    const address = this.#server.address();
    const port = typeof address === 'object' && address !== null ? address.port : this.#port;
    this.#url = `http://${this.#host}:${port}`;
    return this;
  }

  /** Stops listening and destroys every socket, including hung requests. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= new Promise<void>((resolve) => {
      for (const timer of this.#timers) clearTimeout(timer);
      this.#timers.clear();
      this.#faults.clear();
      this.#log.abandonWaiters(new Error(`${this.name} provider closed`));
      this.#abandoned.abandonWaiters(new Error(`${this.name} provider closed`));
      if (!this.#server.listening) return resolve();
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
    return this.#closing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #onRequest(req: IncomingMessage, res: ServerResponse): void {
    if (!hasBody(req)) return this.#dispatch(req, res, '');
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => {
      if (size > MAX_BODY_BYTES) return this.#send(res, { status: 413, body: this.errorBody('payload_too_large', 'Body too large') }, 0);
      this.#dispatch(req, res, Buffer.concat(chunks).toString('utf8'));
    });
  }

  #dispatch(req: IncomingMessage, res: ServerResponse, rawBody: string): void {
    const rawUrl = req.url ?? '/';
    const q = rawUrl.indexOf('?');
    const method = req.method ?? 'GET';
    const headers = flattenHeaders(req.headers);
    const parsed = parseBody(rawBody, headers['content-type']);
    const request: ProviderRequest = {
      method,
      path: q === -1 ? rawUrl : rawUrl.slice(0, q),
      query: q === -1 ? NO_QUERY : Object.fromEntries(new URLSearchParams(rawUrl.slice(q + 1))),
      headers,
      ...(parsed.kind === 'none' ? {} : { body: parsed.kind === 'ok' ? parsed.value : parsed.raw }),
    };
    if (this.recording) this.#log.record(request);

    const { fault, extraLatencyMs } = this.#faults.decide(method, request.path);
    const delayMs = this.latencyMs + extraLatencyMs;
    if (fault?.kind === 'hang') return;
    if (fault?.kind === 'hold') {
      const read = fault.readFirst === true ? this.#answer(request, parsed) : undefined;
      return this.#hold(fault.until, res, () => this.#send(res, read ?? this.#answer(request, parsed), delayMs, headers['x-request-id']), request);
    }
    if (fault?.kind === 'reset') return this.#later(delayMs, () => req.socket.destroy());
    const reply = fault === undefined ? this.#answer(request, parsed) : this.#faultReply(fault, request, parsed);
    this.#send(res, reply, delayMs, headers['x-request-id']);
  }

  #answer(request: ProviderRequest, parsed: ParsedBody): ProviderReply {
    if (parsed.kind === 'invalid') return { status: 400, body: this.errorBody('invalid_json', 'Body is not valid JSON') };
    try {
      return this.route(request);
    } catch {
      return { status: 500, body: this.errorBody('internal_error', 'Internal error') };
    }
  }

  #hold(until: Promise<unknown>, res: ServerResponse, answer: () => void, request: ProviderRequest): void {
    let gone = false;
    res.once('close', () => {
      if (res.writableEnded) return;
      gone = true;
      this.#abandoned.record(request);
    });
    // Released or failed alike: the gate only orders the answer.
    const release = () => {
      if (!gone && !res.destroyed) answer();
    };
    until.then(release, release);
  }

  #faultReply(fault: Exclude<Fault, { kind: 'hang' | 'hold' | 'reset' | 'latency' }>, request: ProviderRequest, parsed: ParsedBody): ProviderReply {
    switch (fault.kind) {
      case 'status':
        return { status: fault.status, body: fault.body ?? this.errorBody(`http_${fault.status}`, 'Injected failure') };
      case 'rate-limit':
        return { status: 429, headers: { 'retry-after': fault.retryAfter }, body: this.errorBody('rate_limited', 'Too many requests') };
      case 'malformed':
        return { status: 200, body: this.malformedBody(request) };
      case 'drift': {
        const reply = this.#answer(request, parsed);
        const body: unknown = reply.rawBody === undefined ? reply.body : JSON.parse(reply.rawBody);
        return { status: reply.status, ...(reply.headers ? { headers: reply.headers } : {}), body: fault.reshape(body) };
      }
      case 'invalid-json':
        return { status: 200, rawBody: TRUNCATED_JSON };
      case 'commit-then-fail': {
        this.#answer(request, parsed);
        const status = fault.status ?? 502;
        return { status, body: this.errorBody(`http_${status}`, 'Injected failure after commit') };
      }
    }
  }

  #send(res: ServerResponse, reply: ProviderReply, delayMs: number, requestId?: string): void {
    const payload = reply.rawBody ?? (reply.body === undefined ? '' : JSON.stringify(reply.body));
    const headers: Record<string, string | number> = {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(payload),
      ...reply.headers,
    };
    if (requestId !== undefined) headers['x-request-id'] = requestId;
    this.#later(delayMs, () => res.writeHead(reply.status, headers).end(payload));
  }

  #later(delayMs: number, action: () => void): void {
    if (delayMs <= 0) return action();
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      action();
    }, delayMs);
    this.#timers.add(timer);
  }
}
