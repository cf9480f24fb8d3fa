// The README's entry points.
//   npm run dev              → development: simulated providers + `next dev` (GraphiQL on, any operation)
//   DEMO=1 PORT=… npm start  → the production build and mode against simulated providers it starts
//   npm start                → the production build against real providers (configuration required)
//   … -- --standalone        → the same gateway on plain node:http instead of Next.js
//   … -- --custom-server     → Next's custom-server mode: /api/graphql straight to Yoga, the rest to Next
//   … -- --idp               → demo callers verified against the simulated identity provider's JWKS, not the HS256 dev secret
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { constants } from 'node:os';
import { ConfigError } from '../config/env';
import { buildConfig, parseEnv } from '../server/config';
import { createGateway } from '../server/gateway';
import { adoptGateway } from '../server/instance';
import { startNextCustomServer } from '../server/next-custom-server';
import { startNodeServer } from '../server/node-server';
import { GATEWAY_NODE_ARGS } from '../server/node-options';
import { exitAfterShutdown, SHUTDOWN_SIGNALS, shutDown } from '../server/shutdown';
import { GRAPHQL_ENDPOINT } from '../server/yoga';
import { bannerLines } from './banner';
import { demoEnv } from './demo-env';
import { mintDevToken } from './dev-jwt';
import { startUpstreams, type Upstreams } from './upstreams';

const mode = process.argv[2] === 'dev' ? 'development' : 'production';
const standalone = process.argv.includes('--standalone');
const customServer = process.argv.includes('--custom-server');
const idp = process.argv.includes('--idp');
const demo = mode === 'development' || process.env['DEMO'] === '1' || process.env['DEMO'] === 'true';
const port = Number(process.env['PORT'] ?? (mode === 'development' ? 3000 : 4000));
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

async function main(): Promise<void> {
  const upstreams: Upstreams | undefined = demo ? await startUpstreams() : undefined;
  const token = !upstreams ? undefined : idp ? upstreams.identity.mint('user-1', { expiresIn: 12 * 3600 }) : await mintDevToken('user-1');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...(upstreams ? demoEnv(upstreams, { callers: idp ? 'identity' : 'dev-secret' }) : {}),
    // GraphiQL's tabs carry the printed dev token (development only: production serves no GraphiQL).
    ...(mode === 'development' && token !== undefined ? { GRAPHIQL_TOKEN: token } : {}),
    NODE_ENV: mode,
    PORT: String(port),
    NEXT_TELEMETRY_DISABLED: '1',
  };
  // Fail loudly here, naming the variable, rather than on the first request.
  const parsed = parseEnv(env);
  const config = buildConfig(parsed);
  // Development stays on this machine unless HOST says otherwise; production binds every interface.
  const host = parsed.HOST ?? (mode === 'development' ? '127.0.0.1' : undefined);
  const hostArgs = host === undefined ? [] : ['--hostname', host];
  const shownHost = host === undefined || host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;

  let child: ChildProcess | undefined;
  const url = `http://${shownHost}:${port}${GRAPHQL_ENDPOINT}`;
  if (standalone || customServer) {
    const gateway = createGateway(config);
    // The one gateway of this process, also for any route Next serves beside it (custom server).
    adoptGateway(gateway);
    if (customServer && mode === 'production') ensureBuild(env);
    const bounds = { limits: config.server, logger: gateway.telemetry.logger };
    const bind = host ?? '0.0.0.0';
    const server = customServer
      ? await startNextCustomServer(gateway.yoga, { port, host: bind, dev: mode === 'development', ...bounds })
      : await startNodeServer(gateway.yoga, { port, host: bind, ...bounds });
    exitAfterShutdown(config.shutdown, async (signal) => {
      await shutDown({ gateway, server: () => server.server, timing: config.shutdown, afterListenerClosed: () => server.close() }, signal);
      await upstreams?.close();
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
      void (upstreams?.close() ?? Promise.resolve()).finally(() => process.exit(exitCode));
    });
  }

  await waitUntilAnswering(url, child);
  const mount = standalone ? 'node:http' : customServer ? 'Next.js custom server' : 'Next.js';
  const lines = bannerLines({
    mode,
    mount: `${mount}${demo ? ', demo providers' : ''}`,
    url,
    host,
    providers: upstreams?.urls,
    token,
    persistedDir: config.persistedOperations.dir,
  });
  // Tokens of the dev secret are refused in this mode: `npm run token` must ask the identity provider.
  if (upstreams && idp) lines.push('', `Callers are verified against the simulated identity provider; another user's token: npm run -s token -- user-2 --idp ${upstreams.identity.url}`);
  console.log(lines.join('\n'));
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
