// The README's entry points.
//   npm run dev              → development: simulated providers + `next dev` (GraphiQL on, any operation)
//   DEMO=1 PORT=… npm start  → the production build and mode against simulated providers it starts
//   npm start                → the production build against real providers (configuration required)
//   … -- --standalone        → the same gateway on plain node:http instead of Next.js
//   … -- --custom-server     → Next's custom-server mode: /api/graphql straight to Yoga, the rest to Next
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { buildConfig } from '../config';
import { ConfigError, parseEnv } from '../config/env';
import { createGateway } from '../server/gateway';
import { startNextCustomServer } from '../server/next-custom-server';
import { startNodeServer } from '../server/node-server';
import { GATEWAY_NODE_ARGS } from '../server/node-options';
import { GRAPHQL_ENDPOINT } from '../server/yoga';
import { demoEnv } from './demo-env';
import { mintDevToken } from './dev-jwt';
import { startUpstreams, type Upstreams } from './upstreams';

const mode = process.argv[2] === 'dev' ? 'development' : 'production';
const standalone = process.argv.includes('--standalone');
const customServer = process.argv.includes('--custom-server');
const demo = mode === 'development' || process.env['DEMO'] === '1' || process.env['DEMO'] === 'true';
const port = Number(process.env['PORT'] ?? (mode === 'development' ? 3000 : 4000));
const nextBin = createRequire(import.meta.url).resolve('next/dist/bin/next');

const EXAMPLE_QUERY = `{ orders(first: 3) { edges { node { id customer { name } lines { quantity product { title priceCents averageRating reviews { rating author { name } } } } } } } }`;

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
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...(upstreams ? demoEnv(upstreams) : {}),
    NODE_ENV: mode,
    PORT: String(port),
    NEXT_TELEMETRY_DISABLED: '1',
  };
  // Fail loudly here, naming the variable, rather than on the first request.
  const config = buildConfig(parseEnv(env));

  let child: ChildProcess | undefined;
  let stopServer: (() => Promise<void>) | undefined;
  const url = `http://127.0.0.1:${port}${GRAPHQL_ENDPOINT}`;
  if (standalone || customServer) {
    const gateway = createGateway(config);
    if (customServer && mode === 'production') ensureBuild(env);
    const bounds = { limits: config.server, logger: gateway.telemetry.logger };
    const server = customServer
      ? await startNextCustomServer(gateway.yoga, { port, host: '0.0.0.0', dev: mode === 'development', ...bounds })
      : await startNodeServer(gateway.yoga, { port, host: '0.0.0.0', ...bounds });
    stopServer = async () => {
      await server.close();
      await gateway.close();
    };
  } else if (mode === 'development') {
    child = runNext(['dev', '--port', String(port)], env);
  } else {
    ensureBuild(env);
    // The gateway's production V8 flags go on the command line: Node refuses one of them in NODE_OPTIONS.
    // Keep-alive is the one server bound `next start` takes; the others stay Node's (README).
    child = runNext(['start', '--port', String(port), '--keepAliveTimeout', String(config.server.keepAliveTimeoutMs)], env, GATEWAY_NODE_ARGS);
  }

  const stop = async (code: number) => {
    child?.kill('SIGTERM');
    await stopServer?.();
    await upstreams?.close();
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));
  child?.on('exit', (code) => void stop(code ?? 1));

  await waitUntilAnswering(url, child);
  const token = demo ? await mintDevToken('user-1') : undefined;
  const lines = [
    '',
    `Gateway (${mode}${standalone ? ', node:http' : customServer ? ', Next.js custom server' : ', Next.js'}${demo ? ', demo providers' : ''}) ready at ${url}`,
    mode === 'development' ? `GraphiQL: open ${url} in a browser` : 'GraphiQL and introspection are off in production mode.',
  ];
  if (upstreams) {
    lines.push('Simulated providers:', ...Object.entries(upstreams.urls).map(([name, u]) => `  ${name.padEnd(9)} ${u}`));
  }
  if (token) {
    lines.push(
      '',
      'Dev token for user-1 (paste as header in GraphiQL: {"Authorization": "Bearer <token>"}; another user: npm run -s token user-2):',
      token,
      '',
      'Example query:',
      EXAMPLE_QUERY,
      '',
      'From a shell:',
      `curl -s ${url} -H 'content-type: application/json' -H "authorization: Bearer ${token}" \\`,
      `  -d '${JSON.stringify({ query: EXAMPLE_QUERY })}'`,
    );
  }
  console.log(lines.join('\n'));
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
