// A minimal Chrome DevTools Protocol client over the inspector's WebSocket, to profile children
// that have no IPC channel to us (next start, spawned with --inspect=127.0.0.1:0) over exactly
// the measured window, like our own children do through node:inspector.

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

export class CdpSession {
  readonly #socket: WebSocket;
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;

  private constructor(socket: WebSocket) {
    this.#socket = socket;
    socket.addEventListener('message', (event: MessageEvent) => {
      const message: unknown = JSON.parse(String(event.data));
      if (typeof message !== 'object' || message === null || !('id' in message) || typeof message.id !== 'number') return;
      const pending = this.#pending.get(message.id);
      if (!pending) return;
      this.#pending.delete(message.id);
      if ('error' in message) pending.reject(new Error(`CDP: ${JSON.stringify(message.error)}`));
      else pending.resolve('result' in message ? message.result : undefined);
    });
  }

  static connect(url: string): Promise<CdpSession> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url);
      socket.addEventListener('open', () => resolve(new CdpSession(socket)), { once: true });
      socket.addEventListener('error', () => reject(new Error(`CDP: cannot connect to ${url}`)), { once: true });
    });
  }

  post(method: string, params: Record<string, unknown> = {}): Promise<unknown> {
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#socket.send(JSON.stringify({ id, method, params }));
    });
  }

  close(): void {
    for (const pending of this.#pending.values()) pending.reject(new Error('CDP: closed'));
    this.#pending.clear();
    this.#socket.close();
  }
}

/** The inspector URL a child printed on stderr (`Debugger listening on ws://…`). */
export function inspectorUrl(stderr: string): string | undefined {
  return /Debugger listening on (ws:\/\/\S+)/.exec(stderr)?.[1];
}
