// The yoga-next-route peer needs a Next.js app of its own (an App Router route handler, peers/next-route/),
// beside the gateway's. It is built in a scratch copy of the repository, reused between runs:
//   <scratch>/node_modules     hard links (`cp -al`) of the repository's node_modules, redone when
//                              package-lock.json changes. Not a symlink: Turbopack refuses a node_modules
//                              that resolves outside its root.
//   <scratch>/src, test/bench/peers, persisted-queries, package.json   copied afresh when they changed,
//                              so the route's relative imports (our schema, resolvers, provider clients)
//                              resolve as in the repository
//   <scratch>/test/bench/peers/next-route   the app: `next build` there when its sources changed, then `next start`
// BENCH_NEXT_ROUTE_DIR moves the scratch directory (default: <tmpdir>/bench-next-route).
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const NEXT_ROUTE_APP = 'test/bench/peers/next-route';

/** What the copy takes from the repository (besides node_modules). */
const COPIED = ['src', 'test/bench/peers', 'persisted-queries', 'package.json', 'tsconfig.json'] as const;

export function nextRouteScratch(env: Readonly<Record<string, string | undefined>> = process.env): string {
  return resolve(env['BENCH_NEXT_ROUTE_DIR'] ?? join(tmpdir(), 'bench-next-route'));
}

function files(path: string): string[] {
  if (!existsSync(path)) return [];
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path, { withFileTypes: true }).flatMap((e) => (e.name === '.next' || e.name === 'node_modules' ? [] : files(join(path, e.name))));
}

function digest(paths: readonly string[]): string {
  const hash = createHash('sha256');
  for (const file of paths.flatMap((p) => files(p)).sort()) hash.update(file).update('\0').update(readFileSync(file)).update('\0');
  return hash.digest('hex');
}

const stamp = (path: string) => (existsSync(path) ? readFileSync(path, 'utf8') : '');

/** Makes the scratch app current (copy, hard links, build when stale); returns its directory (next start's cwd). */
export function ensureNextRouteApp(log: (line: string) => void, repo = process.cwd()): string {
  const scratch = nextRouteScratch();
  const app = join(scratch, NEXT_ROUTE_APP);
  mkdirSync(scratch, { recursive: true });

  const modulesStamp = join(scratch, '.node-modules-stamp');
  const lock = digest([join(repo, 'package-lock.json')]);
  if (stamp(modulesStamp) !== lock || !existsSync(join(scratch, 'node_modules'))) {
    log(`  yoga-next-route: hard-linking node_modules into ${scratch}`);
    rmSync(join(scratch, 'node_modules'), { recursive: true, force: true });
    execFileSync('cp', ['-al', join(repo, 'node_modules'), join(scratch, 'node_modules')]);
    writeFileSync(modulesStamp, lock);
  }

  const sourcesStamp = join(scratch, '.sources-stamp');
  const sources = digest(COPIED.map((p) => join(repo, p)));
  if (stamp(sourcesStamp) === sources && existsSync(join(app, '.next', 'BUILD_ID'))) return app;

  log(`  yoga-next-route: copying the sources and running next build in ${app}`);
  for (const path of COPIED) {
    rmSync(join(scratch, path), { recursive: true, force: true });
    cpSync(join(repo, path), join(scratch, path), { recursive: true, filter: (from) => !/[/\\](\.next|node_modules)$/.test(from) });
  }
  rmSync(join(app, '.next'), { recursive: true, force: true });
  const built = spawnSync(process.execPath, [join(scratch, 'node_modules/next/dist/bin/next'), 'build'], {
    cwd: app,
    env: { ...process.env, NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1' },
    encoding: 'utf8',
    stdio: 'pipe',
    timeout: 600_000,
  });
  if (built.status !== 0) throw new Error(`yoga-next-route: next build failed (${built.status ?? built.signal}):\n${built.stdout}\n${built.stderr}`);
  writeFileSync(sourcesStamp, sources);
  return app;
}
