// Inside a target child: announce the URL over IPC, answer stats requests, record a CPU profile
// of exactly the measured window when asked (inspector), and exit cleanly on SIGTERM or when the
// bench goes away (a clean exit is also what makes --cpu-prof write its profile).
import { getHeapSpaceStatistics, getHeapStatistics } from 'node:v8';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';

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
  /** Resident size of each V8 heap space (physical_space_size), by space name. */
  readonly spacesMb: Readonly<Record<string, number>>;
  /** Memory V8 allocated with malloc (zones, compiler), not in any space. */
  readonly mallocedMb: number;
  /** process.getActiveResourcesInfo() counted by kind (TCPSocketWrap, Timeout, …). */
  readonly activeResources: Readonly<Record<string, number>>;
}

export type ChildMessage =
  | { readonly type: 'ready'; readonly url: string }
  | { readonly type: 'stats'; readonly stats: ChildStats }
  | { readonly type: 'failed'; readonly message: string }
  | { readonly type: 'profiled'; readonly path: string };

/** Bench → child. */
export type BenchMessage =
  | { readonly type: 'stats'; readonly gc?: boolean }
  | { readonly type: 'profile-start' }
  | { readonly type: 'profile-stop'; readonly path: string };

function isBenchMessage(value: unknown): value is BenchMessage {
  return typeof value === 'object' && value !== null && 'type' in value && typeof value.type === 'string';
}

let session: Session | undefined;

async function profile(message: Extract<BenchMessage, { type: 'profile-start' | 'profile-stop' }>): Promise<void> {
  if (message.type === 'profile-start') {
    session = new Session();
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 200 });
    await session.post('Profiler.start');
    return;
  }
  if (!session) return;
  const { profile: result } = await session.post('Profiler.stop');
  session.disconnect();
  session = undefined;
  writeFileSync(message.path, JSON.stringify(result));
  send({ type: 'profiled', path: message.path });
}

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
    spacesMb: Object.fromEntries(getHeapSpaceStatistics().map((s) => [s.space_name, s.physical_space_size / MB])),
    mallocedMb: getHeapStatistics().malloced_memory / MB,
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
    if (!isBenchMessage(message)) return;
    if (message.type !== 'stats') return void profile(message);
    // With --expose-gc the bench asks for a collection first, so heap figures compare live data.
    if (message.gc === true) globalThis.gc?.();
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
