// Target processes seen from the bench: spawned (pinned to core 0 with taskset when asked), ready
// when they say so over IPC or answer HTTP, asked for stats, and stopped by their PID (process
// group) at the end, on error and on SIGINT.
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { CdpSession, inspectorUrl } from './cdp';
import type { BenchMessage, ChildMessage, ChildStats } from './child-runtime';

export interface ChildSpec {
  /** Label in messages. */
  readonly name: string;
  /** Node flags (`--import tsx`, `--cpu-prof`, …). */
  readonly nodeArgs: readonly string[];
  /** Script and its arguments. */
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  /** Working directory. @default this process's */
  readonly cwd?: string;
  /** Run under `taskset -c 0`. */
  readonly pin: boolean;
  /** Ready when the child sends `{ type: 'ready', url }` over IPC (our runtime), else when `pollUrl` answers. */
  readonly pollUrl?: string;
  /** @default 120000 */
  readonly readyTimeoutMs?: number;
}

export interface ChildHandle {
  readonly name: string;
  readonly pid: number;
  readonly url: string;
  /** Heap and resources from inside the child (after a GC when asked and exposed); undefined without our runtime (next start). */
  stats(options?: { gc?: boolean }): Promise<ChildStats | undefined>;
  /** Starts a CPU profile inside the child: over IPC (our runtime) or the inspector (spawned with --inspect); false when neither. */
  profileStart(): Promise<boolean>;
  /** Stops it and resolves once the child has written `path`. */
  profileStop(path: string): Promise<void>;
  /** Last lines the child wrote to stderr. */
  stderr(): string;
  stop(): Promise<void>;
}

const running = new Set<ChildHandle>();
const STDERR_KEEP = 8192;

function isMessage(value: unknown): value is ChildMessage {
  return typeof value === 'object' && value !== null && 'type' in value && typeof value.type === 'string';
}

async function answers(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}?query=${encodeURIComponent('{ ping }')}`, { headers: { accept: 'application/json' } });
    await res.arrayBuffer();
    return res.status < 500;
  } catch {
    return false;
  }
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

export async function startChild(spec: ChildSpec): Promise<ChildHandle> {
  const nodeCommand = [process.execPath, ...spec.nodeArgs, ...spec.args];
  const [command, ...args] = spec.pin ? ['taskset', '-c', '0', ...nodeCommand] : nodeCommand;
  if (command === undefined) throw new Error('empty command');
  // stdout (where the gateway logs) goes to /dev/null: logging still costs its write(2).
  const env: NodeJS.ProcessEnv = { NODE_ENV: 'production', PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '', ...spec.env };
  const stdio: StdioOptions = spec.pollUrl === undefined ? ['ignore', 'ignore', 'pipe', 'ipc'] : ['ignore', 'ignore', 'pipe'];
  const child: ChildProcess = spawn(command, args, { env, stdio, detached: true, ...(spec.cwd === undefined ? {} : { cwd: spec.cwd }) });
  if (child.pid === undefined) throw new Error(`${spec.name}: spawn failed`);
  const pid = child.pid;
  let errText = '';
  let inspector: string | undefined;
  child.stderr?.on('data', (chunk: Buffer) => {
    errText = (errText + chunk.toString()).slice(-STDERR_KEEP);
    inspector ??= inspectorUrl(errText);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const stop = async () => {
    running.delete(handle);
    killGroup(child, 'SIGTERM');
    const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
    // Anything the child left in its group (next start's workers).
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // group empty
    }
  };

  let url = spec.pollUrl ?? '';
  let cdp: CdpSession | undefined;
  const handle: ChildHandle = {
    name: spec.name,
    pid,
    get url() {
      return url;
    },
    stderr: () => errText,
    stop,
    profileStart: async () => {
      if (child.connected) {
        const message: BenchMessage = { type: 'profile-start' };
        child.send(message);
        return true;
      }
      if (inspector === undefined) return false;
      cdp = await CdpSession.connect(inspector);
      await cdp.post('Profiler.enable');
      await cdp.post('Profiler.setSamplingInterval', { interval: 200 });
      await cdp.post('Profiler.start');
      return true;
    },
    profileStop: async (path) => {
      if (cdp) {
        const session = cdp;
        cdp = undefined;
        const result = await session.post('Profiler.stop');
        session.close();
        const profile = typeof result === 'object' && result !== null && 'profile' in result ? result.profile : undefined;
        if (profile !== undefined) writeFileSync(path, JSON.stringify(profile));
        return;
      }
      return new Promise<void>((resolve) => {
        if (!child.connected) return resolve();
        const timer = setTimeout(() => {
          child.off('message', onMessage);
          resolve();
        }, 30_000);
        const onMessage = (message: unknown) => {
          if (!isMessage(message) || message.type !== 'profiled') return;
          clearTimeout(timer);
          child.off('message', onMessage);
          resolve();
        };
        child.on('message', onMessage);
        const stopMessage: BenchMessage = { type: 'profile-stop', path };
        child.send(stopMessage);
      });
    },
    stats: (options = {}) =>
      new Promise<ChildStats | undefined>((resolve) => {
        if (!child.connected) return resolve(undefined);
        const timer = setTimeout(() => {
          child.off('message', onMessage);
          resolve(undefined);
        }, 5000);
        const onMessage = (message: unknown) => {
          if (!isMessage(message) || message.type !== 'stats') return;
          clearTimeout(timer);
          child.off('message', onMessage);
          resolve(message.stats);
        };
        child.on('message', onMessage);
        const message: BenchMessage = { type: 'stats', gc: options.gc === true };
        child.send(message);
      }),
  };
  running.add(handle);

  const timeoutMs = spec.readyTimeoutMs ?? 120_000;
  try {
    await new Promise<void>((resolve, reject) => {
      const deadline = setTimeout(() => reject(new Error(`${spec.name}: not ready within ${timeoutMs} ms\n${errText}`)), timeoutMs);
      const done = (error?: Error) => {
        clearTimeout(deadline);
        if (error) reject(error);
        else resolve();
      };
      child.once('exit', (code, signal) => done(new Error(`${spec.name}: exited (${code ?? signal}) before ready\n${errText}`)));
      if (spec.pollUrl === undefined) {
        child.on('message', (message: unknown) => {
          if (!isMessage(message)) return;
          if (message.type === 'ready') {
            url = message.url;
            done();
          } else if (message.type === 'failed') done(new Error(`${spec.name}: ${message.message}`));
        });
        return;
      }
      const pollUrl = spec.pollUrl;
      const poll = async () => {
        for (let i = 0; i < Math.ceil(timeoutMs / 200); i++) {
          if (child.exitCode !== null) return;
          if (await answers(pollUrl)) return done();
          await new Promise((r) => setTimeout(r, 200));
        }
      };
      void poll();
    });
  } catch (error) {
    await stop();
    throw error;
  }
  return handle;
}

/** Stops every child still running (on error, SIGINT and at the end). */
export async function stopAllChildren(): Promise<void> {
  await Promise.all([...running].map((c) => c.stop()));
}
