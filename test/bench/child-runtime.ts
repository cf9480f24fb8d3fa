// Inside a target child: announce the URL over IPC, answer stats requests, and exit cleanly on
// SIGTERM or when the bench goes away (a clean exit is what makes --cpu-prof write its profile).

export interface Served {
  /** The GraphQL endpoint (or, for raw-node-http, any path). */
  readonly url: string;
  close(): Promise<void>;
}

export interface ChildStats {
  readonly rssMb: number;
  readonly heapUsedMb: number;
  readonly heapTotalMb: number;
  readonly externalMb: number;
  /** process.getActiveResourcesInfo() counted by kind (TCPSocketWrap, Timeout, …). */
  readonly activeResources: Readonly<Record<string, number>>;
}

export type ChildMessage =
  | { readonly type: 'ready'; readonly url: string }
  | { readonly type: 'stats'; readonly stats: ChildStats }
  | { readonly type: 'failed'; readonly message: string };

const MB = 1024 * 1024;

function stats(): ChildStats {
  const memory = process.memoryUsage();
  const activeResources: Record<string, number> = {};
  for (const kind of process.getActiveResourcesInfo()) activeResources[kind] = (activeResources[kind] ?? 0) + 1;
  return {
    rssMb: memory.rss / MB,
    heapUsedMb: memory.heapUsed / MB,
    heapTotalMb: memory.heapTotal / MB,
    externalMb: memory.external / MB,
    activeResources,
  };
}

function send(message: ChildMessage): void {
  process.send?.(message);
}

export function runChild(start: () => Promise<Served>): void {
  let served: Served | undefined;
  let exiting = false;
  const exit = async (code: number) => {
    if (exiting) return;
    exiting = true;
    const force = setTimeout(() => process.exit(code), 5000);
    force.unref();
    try {
      await served?.close();
    } finally {
      process.exit(code);
    }
  };
  process.on('SIGTERM', () => void exit(0));
  process.on('SIGINT', () => void exit(0));
  process.on('disconnect', () => void exit(0));
  process.on('message', (message: unknown) => {
    if (typeof message !== 'object' || message === null || !('type' in message) || message.type !== 'stats') return;
    // With --expose-gc the bench asks for a collection first, so heap figures compare live data.
    if ('gc' in message && message.gc === true) globalThis.gc?.();
    send({ type: 'stats', stats: stats() });
  });
  start().then(
    (s) => {
      served = s;
      send({ type: 'ready', url: s.url });
    },
    (error: unknown) => {
      send({ type: 'failed', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
      void exit(1);
    },
  );
}
