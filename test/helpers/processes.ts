// Child processes for end-to-end tests: the launcher under Node 24 (tsx), a free port, and
// waiting for a line of output instead of sleeping.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';

function tryPort(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * A free port below Linux's ephemeral range (32768–60999). A port found by listening on 0 came from
 * that range, and the launcher's own simulated providers (listening on 0 too) could be handed the
 * same port before the server under test bound it: it then died with EADDRINUSE (seen once in CI).
 */
const handedOut = new Set<number>();

export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    // Not yet bound by whoever asked for it: never hand the same port out twice.
    if (handedOut.has(port) || !(await tryPort(port))) continue;
    handedOut.add(port);
    return port;
  }
  throw new Error('no free port found in 20000–31999');
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

function buildIsFresh(): boolean {
  const buildId = '.next/BUILD_ID';
  return existsSync(buildId) && statSync(buildId).mtimeMs > Math.max(newestMtime('src'), statSync('next.config.ts').mtimeMs);
}

// Outside .next, which `next build` empties.
const BUILD_LOCK = 'node_modules/.cache/bff-next-build.lock';
const pause = new Int32Array(new SharedArrayBuffer(4));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Runs `fn` holding a lock file (the holder's pid): test files run in parallel, and two `next build`s
 * into one .next break each other. A lock whose process is gone is taken over; the wait is bounded.
 */
function withBuildLock(fn: () => void): void {
  mkdirSync(dirname(BUILD_LOCK), { recursive: true });
  for (let waitedMs = 0; ; waitedMs += 250) {
    try {
      writeFileSync(BUILD_LOCK, String(process.pid), { flag: 'wx' });
      break;
    } catch {
      let holder = 0;
      try {
        holder = Number(readFileSync(BUILD_LOCK, 'utf8'));
      } catch {
        continue; // released in between
      }
      if (holder > 0 && !alive(holder)) rmSync(BUILD_LOCK, { force: true });
      else if (waitedMs > 600_000) throw new Error(`${BUILD_LOCK} held by pid ${holder} for 10 minutes`);
      // A bounded poll (the holder is another process); Atomics.wait blocks as the sync build call does.
      else Atomics.wait(pause, 0, 0, 250);
    }
  }
  try {
    fn();
  } finally {
    rmSync(BUILD_LOCK, { force: true });
  }
}

/** Runs `next build` unless a build newer than every source file exists (one build at a time across test files). */
export function ensureNextBuild(): void {
  if (buildIsFresh()) return;
  withBuildLock(() => {
    if (!buildIsFresh()) nextBuild();
  });
}

function nextBuild(): void {
  const result = spawnSync(process.execPath, ['node_modules/next/dist/bin/next', 'build'], {
    stdio: 'pipe',
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' },
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`next build failed:\n${result.stdout}\n${result.stderr}`);
}

export interface Launched {
  readonly child: ChildProcess;
  readonly output: () => string;
  /** Resolves with the output once it matches `pattern` (already or later); rejects after `timeoutMs`. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  stop(): Promise<void>;
}

export interface LaunchOptions {
  /** `npm`: through `npm run <args[0]> -- <rest>`, as a container's `CMD npm start` runs it. @default 'launcher' (node runs the entry file itself) */
  readonly via?: 'launcher' | 'npm';
}

/**
 * The file `npm run <args[0]>` runs, chosen as package.json's scripts choose it: `dev`, and `start` with
 * DEMO=1 (or true), run the demo launcher; `start` otherwise runs the production entry, which takes no mode argument.
 */
function entryOf(args: string[], env: Record<string, string>): string[] {
  const [script = 'start', ...rest] = args;
  const demo = env['DEMO'] ?? process.env['DEMO'];
  return script === 'dev' || demo === '1' || demo === 'true' ? ['src/dev/launch.ts', script, ...rest] : ['src/server/start.ts', ...rest];
}

/**
 * Starts what `npm start` / `npm run dev` run (src/server/start.ts, or src/dev/launch.ts for the dev and
 * the demo) and resolves once it prints `ready`.
 */
export async function launch(args: string[], env: Record<string, string>, readyPattern = /ready at/, options: LaunchOptions = {}): Promise<Launched> {
  const [script = 'start', ...rest] = args;
  const command: [string, string[]] =
    options.via === 'npm' ? ['npm', ['run', script, '--', ...rest]] : [process.execPath, ['--import', 'tsx', ...entryOf(args, env)]];
  const child = spawn(...command, {
    env: { ...process.env, ...env, NEXT_TELEMETRY_DISABLED: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  const stop = async () => {
    if (child.exitCode !== null || child.pid === undefined) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    process.kill(-child.pid, 'SIGTERM');
    await exited;
  };
  const waiters = new Set<() => void>();
  const waitFor = (pattern: RegExp, timeoutMs = 10_000) =>
    new Promise<string>((resolve, reject) => {
      const check = () => {
        if (!pattern.test(output)) return;
        waiters.delete(check);
        clearTimeout(timer);
        resolve(output);
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`no output matching ${pattern} within ${timeoutMs} ms:\n${output.slice(-2000)}`));
      }, timeoutMs);
      waiters.add(check);
      check();
    });
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      for (const check of [...waiters]) check();
      if (readyPattern.test(output)) resolve();
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`launcher exited with ${code}:\n${output}`)));
  });
  return { child, output: () => output, waitFor, stop };
}
