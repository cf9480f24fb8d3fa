// Starts the gateway in one of its three mounts and waits until it answers: the production entry
// (src/server/start.ts, `npm start`) and the dev/demo launcher (src/dev/launch.ts, `npm run dev`,
// `DEMO=1 npm start`) both call launchGateway, the demo with the simulated providers' environment.
//   next           → `next start` (or `next dev`) as a child process
//   standalone     → the same gateway on plain node:http in this process, without Next.js
//   custom-server  → Next's custom-server mode in this process: /api/graphql straight to Yoga, the rest to Next
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { constants } from 'node:os';
import { ConfigError } from '../config/env';
import { bannerLines } from './banner';
import { buildConfig, parseEnv } from './config';
import { createGateway } from './gateway';
import { adoptGateway } from './instance';
import { startNextCustomServer } from './next-custom-server';
import { startNodeServer } from './node-server';
import { GATEWAY_NODE_ARGS } from './node-options';
import { exitAfterShutdown, SHUTDOWN_SIGNALS, shutDown } from './shutdown';
import { GRAPHQL_ENDPOINT } from './yoga';

export type LaunchMode = 'development' | 'production';
export type LaunchMount = 'next' | 'standalone' | 'custom-server';

/** The mount asked for on the command line (`--standalone`, `--custom-server`; the latter wins if both). */
export function mountFromArgs(argv: readonly string[]): LaunchMount {
  return argv.includes('--custom-server') ? 'custom-server' : argv.includes('--standalone') ? 'standalone' : 'next';
}

export interface LaunchOptions {
  readonly mode: LaunchMode;
  readonly mount: LaunchMount;
  /** The gateway's environment (and its Next child's); NODE_ENV, PORT and NEXT_TELEMETRY_DISABLED are set from `mode`. */
  readonly env: NodeJS.ProcessEnv;
  /** Shown after the mount in the banner's first line (`demo providers`). @default none */
  readonly mountNote?: string;
  /** The simulated providers' URLs, for the banner. @default none */
  readonly providers?: Readonly<Record<string, string>>;
  /** A dev token for user-1, for the banner. @default none */
  readonly token?: string;
  /** Lines printed after the banner. @default none */
  readonly notes?: readonly string[];
  /** Runs once the gateway has stopped, before this process exits (closes what the caller started). @default none */
  readonly onExit?: () => Promise<void>;
}

const nextBin = createRequire(import.meta.url).resolve('next/dist/bin/next');

function runNext(args: string[], env: NodeJS.ProcessEnv, nodeArgs: readonly string[] = []): ChildProcess {
  return spawn(process.execPath, [...nodeArgs, nextBin, ...args], { env, stdio: ['ignore', 'inherit', 'inherit'] });
}

function ensureBuild(env: NodeJS.ProcessEnv): void {
  if (existsSync('.next/BUILD_ID')) return;
  const build = spawnSync(process.execPath, [nextBin, 'build'], { env, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('next build failed.');
}

async function waitUntilAnswering(url: string, child: ChildProcess | undefined): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (child && child.exitCode !== null) throw new Error(`The server exited with code ${child.exitCode}.`);
    try {
      const res = await fetch(`${url}?query=${encodeURIComponent('{ ping }')}`, { headers: { accept: 'application/json' } });
      // Only the gateway counts: every one of its answers carries a request id. A port taken by another
      // server (one of our own simulated providers can be handed the port just found free, and then
      // next start dies with EADDRINUSE) answered too, and "ready" was printed for a dead gateway.
      if (res.status < 500 && res.headers.has('x-request-id')) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} did not answer within 150 s.`);
}

/**
 * Validates the configuration (failing here, naming the variable, rather than on the first request),
 * starts the mount, forwards SIGTERM/SIGINT (a child's exit code becomes this process's), waits until
 * the gateway answers and prints the banner.
 */
export async function launchGateway(options: LaunchOptions): Promise<void> {
  const { mode, mount, onExit } = options;
  const port = Number(options.env['PORT'] ?? (mode === 'development' ? 3000 : 4000));
  const env: NodeJS.ProcessEnv = { ...options.env, NODE_ENV: mode, PORT: String(port), NEXT_TELEMETRY_DISABLED: '1' };
  const parsed = parseEnv(env);
  const config = buildConfig(parsed);
  // Development stays on this machine unless HOST says otherwise; production binds every interface.
  const host = parsed.HOST ?? (mode === 'development' ? '127.0.0.1' : undefined);
  const hostArgs = host === undefined ? [] : ['--hostname', host];
  const shownHost = host === undefined || host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;

  let child: ChildProcess | undefined;
  const url = `http://${shownHost}:${port}${GRAPHQL_ENDPOINT}`;
  if (mount !== 'next') {
    const gateway = createGateway(config);
    // The one gateway of this process, also for any route Next serves beside it (custom server).
    adoptGateway(gateway);
    if (mount === 'custom-server' && mode === 'production') ensureBuild(env);
    const bounds = { limits: config.server, logger: gateway.telemetry.logger };
    const bind = host ?? '0.0.0.0';
    const server =
      mount === 'custom-server'
        ? await startNextCustomServer(gateway.yoga, { port, host: bind, dev: mode === 'development', ...bounds })
        : await startNodeServer(gateway.yoga, { port, host: bind, ...bounds });
    exitAfterShutdown(config.shutdown, async (signal) => {
      await shutDown({ gateway, server: () => server.server, timing: config.shutdown, afterListenerClosed: () => server.close() }, signal);
      await onExit?.();
    });
  } else if (mode === 'development') {
    child = runNext(['dev', '--port', String(port), ...hostArgs], env);
  } else {
    ensureBuild(env);
    // The gateway's production V8 flags go on the command line: Node refuses one of them in NODE_OPTIONS.
    // Keep-alive is the one server bound `next start` takes; the others stay Node's (README).
    // NEXT_MANUAL_SIG_HANDLE: Next would close the listener at once and exit 143 on SIGTERM; the
    // gateway's own shutdown (src/server/instance.ts) drains first and exits 0.
    const args = ['start', '--port', String(port), ...hostArgs, '--keepAliveTimeout', String(config.server.keepAliveTimeoutMs)];
    child = runNext(args, { ...env, NEXT_MANUAL_SIG_HANDLE: 'true' }, GATEWAY_NODE_ARGS);
  }

  if (child !== undefined) {
    const running = child;
    // The child shuts down and we exit with it, never before it (an orphan would keep serving).
    for (const signal of SHUTDOWN_SIGNALS) process.on(signal, () => running.kill(signal));
    running.on('exit', (code, signal) => {
      const exitCode = code ?? 128 + (signal === null ? 1 : constants.signals[signal]);
      void (onExit?.() ?? Promise.resolve()).finally(() => process.exit(exitCode));
    });
  }

  await waitUntilAnswering(url, child);
  const mounted = mount === 'standalone' ? 'node:http' : mount === 'custom-server' ? 'Next.js custom server' : 'Next.js';
  const lines = bannerLines({
    mode,
    mount: options.mountNote === undefined ? mounted : `${mounted}, ${options.mountNote}`,
    url,
    host,
    providers: options.providers,
    token: options.token,
    persistedDir: config.persistedOperations.dir,
  });
  console.log([...lines, ...(options.notes ?? [])].join('\n'));
}

/** A failed start: a configuration error as its message (each bad variable named), anything else in full; exit 1. */
export function exitOnLaunchError(error: unknown): never {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
}
