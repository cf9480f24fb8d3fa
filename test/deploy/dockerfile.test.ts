// The Dockerfile without a Docker engine (test/deploy/dockerfile-steps.ts): its rules, each shown to
// fail on a mutated copy; then its build replayed in a scratch directory (npm ci, next build, npm ci
// --omit=dev, the COPYs) and the result started with the image's own CMD, ENV and USER against the
// simulated providers: liveness, the image's HEALTHCHECK, the persisted Catalogue by GET, nothing
// written to the filesystem, and SIGTERM ending the process with 0.
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVER_DEFAULTS } from '../../src/config/env';
import { demoEnv } from '../../src/dev/demo-env';
import { startUpstreams, type Upstreams } from '../../src/dev/upstreams';
import { HEALTH_PATHS } from '../../src/observability/health';
import { GATEWAY_NODE_ARGS } from '../../src/server/node-options';
import { freePort } from '../helpers/processes';
import {
  checkRules,
  isIgnored,
  parseDockerfile,
  parseDockerignore,
  replayBuild,
  spawnIdentity,
  startImage,
  writtenSince,
  type BuiltImage,
  type ImageExpectations,
  type TimelineEntry,
} from './dockerfile-steps';

const DOCKERFILE = readFileSync('Dockerfile', 'utf8');

/** What `npm start` runs in production (src/server/start.ts): node, the gateway's V8 flags, `next start`, the keep-alive default. */
const EXPECTED: ImageExpectations = {
  cmd: ['node', ...GATEWAY_NODE_ARGS, 'node_modules/next/dist/bin/next', 'start', '--keepAliveTimeout', String(SERVER_DEFAULTS.keepAliveTimeoutMs)],
  livenessPath: HEALTH_PATHS.live,
  env: { NODE_ENV: 'production', NEXT_MANUAL_SIG_HANDLE: 'true', NEXT_TELEMETRY_DISABLED: '1', PORT: '3000' },
};

function problemsOf(text: string): string[] {
  return checkRules(parseDockerfile(text), EXPECTED);
}

function mutate(from: string | RegExp, to: string): string {
  const mutated = DOCKERFILE.replace(from, to);
  expect(mutated, `mutation ${String(from)} did not apply`).not.toBe(DOCKERFILE);
  return mutated;
}

describe('Dockerfile rules', () => {
  it('keeps every rule: multi-stage on node:24-slim, numeric non-root USER, exec-form CMD of the launcher’s argv, tini, HEALTHCHECK on liveness, npm ci --omit=dev', () => {
    const model = parseDockerfile(DOCKERFILE);
    expect(model.stages.map((s) => `${s.name}:${s.from}`)).toEqual(['deps:node:24-slim', 'build:node:24-slim', 'runtime:node:24-slim']);
    expect(checkRules(model, EXPECTED)).toEqual([]);
  });

  it('names each broken rule', () => {
    expect(problemsOf(mutate('USER 1000:1000', 'USER root'))).toEqual([
      'final stage: USER root is root',
      "final stage: USER root is not numeric (Kubernetes' runAsNonRoot cannot verify a name)",
    ]);
    expect(problemsOf(mutate('USER 1000:1000', 'USER node'))).toEqual(["final stage: USER node is not numeric (Kubernetes' runAsNonRoot cannot verify a name)"]);
    expect(problemsOf(mutate(/^USER .*$/m, ''))).toEqual(['final stage: no USER (the gateway would run as root)']);
    expect(problemsOf(mutate(/^CMD \[.*$/m, 'CMD ["npm", "start"]'))).toEqual([
      'final stage: CMD runs npm: SIGTERM must reach the gateway process itself',
      `final stage: CMD ["npm","start"], expected ${JSON.stringify(EXPECTED.cmd)}`,
    ]);
    expect(problemsOf(mutate(/^CMD \[.*$/m, 'CMD node node_modules/next/dist/bin/next start'))).toEqual([
      "final stage: CMD node node_modules/next/dist/bin/next start is the shell form: a shell would be PID 1's child and SIGTERM would stop at it",
    ]);
    expect(problemsOf(mutate('"--initial-old-space-size=256", ', ''))[0]).toMatch(/^final stage: CMD \["node","--max-semi-space-size=64","node_modules/);
    expect(problemsOf(mutate(/^HEALTHCHECK[^\n]*\n[^\n]*\n/m, ''))).toEqual(['final stage: no HEALTHCHECK']);
    expect(problemsOf(mutate(/CMD \["node", "-e", .*\n/, 'CMD ["curl", "-f", "http://127.0.0.1:3000/api/health/live"]\n'))).toEqual([
      'final stage: HEALTHCHECK uses curl/wget, which node:*-slim does not have',
    ]);
    expect(problemsOf(mutate('npm ci --omit=dev', 'npm ci'))).toEqual([
      expect.stringMatching(/^final stage, line \d+: "npm ci --ignore-scripts --no-audit --no-fund" is not npm ci --omit=dev$/),
    ]);
    expect(problemsOf(mutate('FROM node:24-slim AS runtime', 'FROM node:24 AS runtime'))).toEqual([
      expect.stringMatching(/^stage runtime \(line \d+\): FROM node:24, expected node:24…-slim/),
    ]);
    expect(problemsOf(mutate('FROM node:24-slim AS runtime', 'FROM build AS runtime'))).toEqual(['final stage FROM build: expected node:24…-slim itself, not an earlier stage']);
    expect(problemsOf(mutate('NEXT_MANUAL_SIG_HANDLE=true', 'NEXT_MANUAL_SIG_HANDLE=false'))).toEqual(['final stage: ENV NEXT_MANUAL_SIG_HANDLE=false, expected true']);
    expect(problemsOf(mutate('ENTRYPOINT ["/usr/bin/tini", "--"]', 'ENTRYPOINT ["/bin/sh", "-c"]'))).toEqual([
      'final stage: ENTRYPOINT ["/bin/sh","-c"]: only an init process ("/usr/bin/tini", "--") may stand before the CMD',
    ]);
    expect(problemsOf(mutate(/^RUN apt-get .*$/m, ''))).toEqual(['final stage: ENTRYPOINT is tini but no RUN installs tini']);
    const runtimeOnly = DOCKERFILE.slice(DOCKERFILE.indexOf('FROM node:24-slim AS runtime'));
    expect(problemsOf(runtimeOnly)).toEqual(['not multi-stage: the runtime stage must not carry the build and its dev dependencies']);
  });

  it('.dockerignore keeps the local build, dependencies, tests and secrets out of the context and lets in what COPY names', () => {
    const rules = parseDockerignore(readFileSync('.dockerignore', 'utf8'));
    for (const path of ['node_modules/next/package.json', '.next/BUILD_ID', '.git/HEAD', 'test/unit/caller.test.ts', 'deploy/compose/gateway.env', 'prod.env', '.env.local', 'tsconfig.tsbuildinfo']) {
      expect([path, isIgnored(rules, path)]).toEqual([path, true]);
    }
    for (const path of ['package.json', 'package-lock.json', 'next.config.ts', 'tsconfig.json', 'src/server/yoga.ts', 'persisted-queries/manifest.json', 'persisted-queries/released/web@1.3.0.json']) {
      expect([path, isIgnored(rules, path)]).toEqual([path, false]);
    }
    expect(isIgnored(parseDockerignore('src\n!src/keep.ts'), 'src/keep.ts')).toBe(false);
    expect(isIgnored(parseDockerignore('**/*.map'), 'a/b/c.js.map')).toBe(true);
    expect(isIgnored(parseDockerignore('**/*.map'), 'c.js.map')).toBe(true);
    expect(isIgnored(parseDockerignore('**/.env*'), 'src/config/cors.env.ts')).toBe(false);
    expect(isIgnored(parseDockerignore('**/.env*'), 'deploy/.env.local')).toBe(true);
  });
});

describe('Dockerfile replayed and started with its CMD', () => {
  const timeline: TimelineEntry[] = [];
  const t0 = performance.now();
  const mark = (what: string) => timeline.push({ stage: 'start', line: 0, step: what, outcome: 'done', ms: Math.round(performance.now() - t0) });
  let scratch = '';
  let image: BuiltImage;
  let upstreams: Upstreams | undefined;

  beforeAll(async () => {
    expect(Number(process.versions.node.split('.')[0]), 'the replay runs the image’s Node: the host’s must be 24 too').toBe(24);
    scratch = mkdtempSync(join(tmpdir(), 'bff-dockerfile-'));
    chmodSync(scratch, 0o755); // the image's user (uid 1000) must reach the runtime stage
    const passThrough = Object.fromEntries(
      Object.entries(process.env).filter(
        (e): e is [string, string] => e[1] !== undefined && /^(https?_proxy|no_proxy|node_extra_ca_certs|ssl_cert_file|ssl_cert_dir|tmpdir|npm_config_(registry|cafile|userconfig|cache|strict_ssl|proxy|https_proxy|noproxy))$/i.test(e[0]),
      ),
    );
    image = await replayBuild(parseDockerfile(DOCKERFILE), {
      context: process.cwd(),
      scratch,
      baseEnv: { ...passThrough, PATH: `${dirname(process.execPath)}:${process.env['PATH'] ?? ''}`, HOME: process.env['HOME'] ?? tmpdir() },
      onStep: (entry) => timeline.push({ ...entry, ms: Math.round(performance.now() - t0) }),
    });
  }, 240_000); // measured ~80 s alone (npm ci ~37 s, next build ~25 s, npm ci --omit=dev ~15 s); room for a loaded CI machine

  afterAll(async () => {
    await upstreams?.close();
    mkdirSync('test/artifacts', { recursive: true });
    writeFileSync('test/artifacts/dockerfile-steps.json', `${JSON.stringify(timeline, null, 2)}\n`);
    console.log(timeline.map((e) => `${String(e.ms).padStart(7)} ms  ${e.stage.padEnd(8)} ${e.line > 0 ? `L${e.line}` : '   '}  ${e.step.slice(0, 90)}  [${e.outcome}]`).join('\n'));
    if (scratch !== '') rmSync(scratch, { recursive: true, force: true });
  }, 180_000); // removing two installed node_modules trees took over 60 s on a loaded CI machine

  it('replays every step in order; only the system-package step (tini) is left to the image', () => {
    const outcomes = timeline.filter((e) => e.stage !== 'start').map((e) => `${e.stage} ${e.step.split(' ').slice(0, 3).join(' ')}: ${e.outcome.split(':')[0]}`);
    expect(outcomes).toEqual([
      'deps COPY package.json package-lock.json: copied',
      'deps RUN npm ci: ran',
      'build COPY --from=deps /app/node_modules: copied',
      'build COPY package.json package-lock.json: copied',
      'build COPY src ./src: copied',
      'build RUN npx next: ran',
      'runtime RUN apt-get update: skipped',
      'runtime COPY package.json package-lock.json: copied',
      'runtime RUN npm ci: ran',
      'runtime COPY --from=build /app/.next: copied',
      'runtime COPY next.config.ts ./: copied',
      'runtime COPY persisted-queries/manifest.json ./persisted-queries/manifest.json: copied',
      'runtime COPY persisted-queries/released ./persisted-queries/released: copied',
    ]);
    expect(image.entrypoint).toEqual(['/usr/bin/tini', '--']);
    expect(image.cmd).toEqual(EXPECTED.cmd);
    // Production dependencies only: no tsx, typescript or vitest in the runtime's node_modules.
    const runtimeModules = join(image.workdir, 'node_modules');
    for (const dev of ['tsx', 'typescript', 'vitest', 'node']) expect([dev, existsIn(runtimeModules, dev)]).toEqual([dev, false]);
    for (const prod of ['next', 'graphql-yoga', 'ioredis']) expect([prod, existsIn(runtimeModules, prod)]).toEqual([prod, true]);
    expect(existsIn(image.workdir, '.next/BUILD_ID')).toBe(true);
    expect(existsIn(image.workdir, '.next/cache')).toBe(false);
    expect(existsIn(image.workdir, 'src')).toBe(false);
  });

  it('serves the persisted Catalogue, passes its HEALTHCHECK, writes nothing, and exits 0 on SIGTERM', async () => {
    upstreams = await startUpstreams();
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const env = {
      ...demoEnv(upstreams),
      PORT: String(port),
      PATH: `${dirname(process.execPath)}:${process.env['PATH'] ?? ''}`,
      HOME: join(image.root, 'home/node'),
    };
    const started = Date.now() - 1;
    const child = startImage(image, env);
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    try {
      // Bounded poll of the process we started: liveness within 60 s, or its exit.
      let live: Response | undefined;
      for (let i = 0; i < 300 && live === undefined && child.exitCode === null; i++) {
        live = await fetch(`${base}${HEALTH_PATHS.live}`).catch(() => undefined);
        if (live === undefined) await new Promise((r) => setTimeout(r, 200));
      }
      expect(live?.status, output).toBe(200);
      expect(await live?.json()).toEqual({ status: 'live' });
      mark('live 200');

      expect(await runHealthcheck(image, env)).toBe(0);
      mark('HEALTHCHECK exit 0');

      const manifest = JSON.parse(readFileSync('persisted-queries/manifest.json', 'utf8')) as { operations: { id: string; name: string }[] };
      const catalogue = manifest.operations.find((op) => op.name === 'Catalogue');
      expect(catalogue).toBeDefined();
      const res = await fetch(`${base}/api/graphql?documentId=${catalogue?.id}`, {
        headers: { accept: 'application/graphql-response+json', 'graphql-require-preflight': '1' },
      });
      const body = (await res.json()) as { data?: { products?: { edges?: { node: { id: string } }[] } }; errors?: unknown };
      expect(res.status, JSON.stringify(body)).toBe(200);
      expect(body.errors).toBeUndefined();
      expect(body.data?.products?.edges?.length).toBeGreaterThan(0);
      expect(body.data?.products?.edges?.[0]?.node.id).toBe('prod-1');
      mark('Catalogue 200');

      expect((await fetch(`${base}${HEALTH_PATHS.ready}`)).status).toBe(200);

      // A read-only root filesystem (deploy/kubernetes/deployment.yaml) holds: nothing was written.
      expect(writtenSince(image.root, started)).toEqual([]);
      if (spawnIdentity(image.user) !== undefined) expect(output).not.toMatch(/EACCES|EPERM/);

      child.kill('SIGTERM');
      const exit = await Promise.race([exited, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 20_000))]);
      mark('SIGTERM → exit');
      expect(exit, output).toEqual({ code: 0, signal: null });
      expect(output).toContain('shutdown: listener closed, requests finished');
      expect(await runHealthcheck(image, env)).toBe(1);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  }, 90_000);
});

function existsIn(dir: string, path: string): boolean {
  try {
    readFileSync(join(dir, path));
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EISDIR';
  }
}

/** Runs the image's HEALTHCHECK command as Docker would (in the container's env and WORKDIR); resolves with its exit code. */
function runHealthcheck(image: BuiltImage, env: Readonly<Record<string, string>>): Promise<number | null> {
  const [file, ...args] = image.healthcheck ?? [];
  if (file === undefined) throw new Error('no HEALTHCHECK');
  return new Promise((resolve, reject) => {
    const check = spawn(file, args, { cwd: image.workdir, env: { ...image.env, ...env } as NodeJS.ProcessEnv, stdio: 'ignore', ...(spawnIdentity(image.user) ?? {}) });
    const timer = setTimeout(() => check.kill('SIGKILL'), 3000); // --timeout=3s
    check.once('error', reject);
    check.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}
