// The Dockerfile's CI check without a Docker engine: parse it (dockerfile-ast), check the rules the
// deployment relies on, and replay its build steps in a scratch directory so that the result can be
// started the way the image's CMD starts it (test/deploy/dockerfile.test.ts).
//
// The replay, step by step:
//   FROM <image> [AS name]   a new stage: its own root directory `<scratch>/<n>-<name>/` standing for `/`.
//                            The host's Node stands for the image's (its major must be the tag's).
//   WORKDIR, ENV, USER       tracked (WORKDIR is created under the stage root).
//   COPY <src>… <dst>        from the build context, honouring .dockerignore (a source it excludes is an
//                            error, as in `docker build`); with --from=<stage>, from that stage's root,
//                            hard-linked rather than copied (same tree, no bytes moved). Symlinks stay symlinks.
//   RUN <cmd>                `sh -c <cmd>` in the stage's working directory with the stage's ENV, the
//                            host's Node first on PATH and the builder's HOME (root's /root in the image:
//                            the `--mount=type=cache,target=/root/.npm` cache is the builder's npm cache).
//                            System-package steps (apt-get) cannot run here: they are skipped and reported.
//   CMD, ENTRYPOINT,         recorded for the start; ENTRYPOINT tini (PID 1 in the container, forwarding
//   HEALTHCHECK, EXPOSE      signals) is left out: the test process plays PID 1 and signals the command itself.
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, linkSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, statSync, symlinkSync } from 'node:fs';
import { basename, dirname, join, posix, relative } from 'node:path';
import { performance } from 'node:perf_hooks';
import { DockerfileParser, type Instruction } from 'dockerfile-ast';

export type Step =
  | { readonly kind: 'WORKDIR'; readonly line: number; readonly path: string }
  | { readonly kind: 'ENV'; readonly line: number; readonly vars: Readonly<Record<string, string>> }
  | { readonly kind: 'USER'; readonly line: number; readonly user: string }
  | { readonly kind: 'COPY'; readonly line: number; readonly from: string | undefined; readonly sources: readonly string[]; readonly dest: string }
  | { readonly kind: 'RUN'; readonly line: number; readonly command: string; readonly mounts: readonly string[] }
  | { readonly kind: 'CMD'; readonly line: number; readonly exec: readonly string[] | undefined; readonly raw: string }
  | { readonly kind: 'ENTRYPOINT'; readonly line: number; readonly exec: readonly string[] | undefined; readonly raw: string }
  | { readonly kind: 'HEALTHCHECK'; readonly line: number; readonly options: Readonly<Record<string, string>>; readonly exec: readonly string[] | undefined; readonly raw: string }
  | { readonly kind: 'EXPOSE'; readonly line: number; readonly ports: readonly string[] }
  | { readonly kind: 'OTHER'; readonly line: number; readonly keyword: string; readonly raw: string };

export interface Stage {
  readonly index: number;
  readonly name: string;
  /** `node:24-slim` as written (image and tag), or the name of an earlier stage. */
  readonly from: string;
  readonly image: string;
  readonly tag: string | undefined;
  readonly line: number;
  readonly steps: readonly Step[];
}

export interface DockerfileModel {
  readonly stages: readonly Stage[];
}

/** The executable part of a JSON (exec-form) instruction, undefined for the shell form. */
function execForm(text: string): string[] | undefined {
  const trimmed = text.trim();
  if (!trimmed.startsWith('[')) return undefined;
  const parsed: unknown = JSON.parse(trimmed);
  if (!Array.isArray(parsed) || !parsed.every((part) => typeof part === 'string')) throw new Error(`not an exec-form array: ${text}`);
  return parsed;
}

function flagsOf(instruction: Instruction): { name: string; value: string }[] {
  const withFlags = instruction as Instruction & { getFlags?: () => { getName(): string; getValue(): string | null }[] };
  return (withFlags.getFlags?.() ?? []).map((flag) => ({ name: flag.getName(), value: flag.getValue() ?? '' }));
}

function toStep(instruction: Instruction): Step {
  const line = instruction.getRange().start.line + 1;
  const keyword = instruction.getKeyword();
  const content = instruction.getArgumentsContent() ?? '';
  const args = instruction.getArguments().map((arg) => arg.getValue());
  const flags = flagsOf(instruction);
  switch (keyword) {
    case 'WORKDIR':
      return { kind: 'WORKDIR', line, path: content.trim() };
    case 'ENV': {
      const props = (instruction as Instruction & { getProperties(): { getName(): string; getValue(): string | null }[] }).getProperties();
      return { kind: 'ENV', line, vars: Object.fromEntries(props.map((p) => [p.getName(), p.getValue() ?? ''])) };
    }
    case 'USER':
      return { kind: 'USER', line, user: content.trim() };
    case 'COPY': {
      const unknown = flags.filter((f) => f.name !== 'from');
      if (unknown.length > 0) throw new Error(`line ${line}: COPY --${unknown[0]?.name} is not replayed by this check`);
      const from = flags.find((f) => f.name === 'from')?.value;
      const dest = args.at(-1);
      if (dest === undefined || args.length < 2) throw new Error(`line ${line}: COPY needs a source and a destination`);
      return { kind: 'COPY', line, from, sources: args.slice(0, -1), dest };
    }
    case 'RUN': {
      const unknown = flags.filter((f) => f.name !== 'mount');
      if (unknown.length > 0) throw new Error(`line ${line}: RUN --${unknown[0]?.name} is not replayed by this check`);
      return { kind: 'RUN', line, command: content.trim(), mounts: flags.map((f) => f.value) };
    }
    case 'CMD':
    case 'ENTRYPOINT':
      return { kind: keyword, line, exec: execForm(content), raw: content.trim() };
    case 'HEALTHCHECK': {
      const match = /^CMD\s+([\s\S]*)$/.exec(content.trim());
      const options = Object.fromEntries(flags.map((f) => [f.name, f.value]));
      return { kind: 'HEALTHCHECK', line, options, exec: match?.[1] === undefined ? undefined : execForm(match[1]), raw: content.trim() };
    }
    case 'EXPOSE':
      return { kind: 'EXPOSE', line, ports: args };
    default:
      return { kind: 'OTHER', line, keyword, raw: content };
  }
}

export function parseDockerfile(text: string): DockerfileModel {
  const stages: Stage[] = [];
  let current: { index: number; name: string; from: string; image: string; tag: string | undefined; line: number; steps: Step[] } | undefined;
  for (const instruction of DockerfileParser.parse(text).getInstructions()) {
    if (instruction.getKeyword() === 'FROM') {
      if (current) stages.push(current);
      const from = instruction as Instruction & { getImageName(): string | null; getImageTag(): string | null; getBuildStage(): string | null };
      const index = stages.length;
      const image = from.getImageName() ?? '';
      const tag = from.getImageTag() ?? undefined;
      current = {
        index,
        name: from.getBuildStage() ?? String(index),
        from: tag === undefined ? image : `${image}:${tag}`,
        image,
        tag,
        line: instruction.getRange().start.line + 1,
        steps: [],
      };
      continue;
    }
    if (!current) {
      if (instruction.getKeyword() === 'ARG') continue; // ARGs before the first FROM
      throw new Error(`line ${instruction.getRange().start.line + 1}: ${instruction.getKeyword()} before any FROM`);
    }
    current.steps.push(toStep(instruction));
  }
  if (current) stages.push(current);
  return { stages };
}

// ---------------------------------------------------------------------------------------------------
// Rules

export interface ImageExpectations {
  /** The argv the CMD must be (what `npm start` runs in production, without npm and the launcher). */
  readonly cmd: readonly string[];
  /** The path the HEALTHCHECK must probe. */
  readonly livenessPath: string;
  /** ENV the runtime stage must set, exactly. */
  readonly env: Readonly<Record<string, string>>;
}

const NODE_24_SLIM = /^24(?:\.\d+){0,2}(?:-[a-z]+)?-slim(?:@sha256:[0-9a-f]{64})?$/;
const PACKAGE_RUNNERS = new Set(['npm', 'npx', 'yarn', 'pnpm', 'sh', 'bash', '/bin/sh', '/bin/bash']);
const INIT_PROCESSES = new Set(['/usr/bin/tini', 'tini', '/sbin/tini', 'dumb-init', '/usr/bin/dumb-init']);

function last<K extends Step['kind']>(stage: Stage, kind: K): Extract<Step, { kind: K }> | undefined {
  return stage.steps.filter((s): s is Extract<Step, { kind: K }> => s.kind === kind).at(-1);
}

function stageEnv(stage: Stage): Record<string, string> {
  return Object.assign({}, ...stage.steps.filter((s) => s.kind === 'ENV').map((s) => s.vars)) as Record<string, string>;
}

/** Every rule the Dockerfile breaks, one sentence each (empty: all kept). */
export function checkRules(model: DockerfileModel, expect: ImageExpectations): string[] {
  const problems: string[] = [];
  const { stages } = model;
  const runtime = stages.at(-1);
  if (runtime === undefined) return ['no FROM'];
  if (stages.length < 2) problems.push('not multi-stage: the runtime stage must not carry the build and its dev dependencies');
  const names = new Set<string>();
  for (const stage of stages) {
    const fromStage = names.has(stage.from);
    if (!fromStage && !(stage.image === 'node' && NODE_24_SLIM.test(stage.tag ?? ''))) {
      problems.push(`stage ${stage.name} (line ${stage.line}): FROM ${stage.from}, expected node:24…-slim (the Node the project runs on)`);
    }
    names.add(stage.name);
  }
  if (names.has(runtime.from)) problems.push(`final stage FROM ${runtime.from}: expected node:24…-slim itself, not an earlier stage`);

  const user = last(runtime, 'USER');
  const cmd = last(runtime, 'CMD');
  if (user === undefined) problems.push('final stage: no USER (the gateway would run as root)');
  else {
    const [name = '', group] = user.user.split(':');
    if (name === 'root' || name === '0' || group === '0' || group === 'root') problems.push(`final stage: USER ${user.user} is root`);
    if (!/^\d+$/.test(name)) problems.push(`final stage: USER ${user.user} is not numeric (Kubernetes' runAsNonRoot cannot verify a name)`);
    if (cmd !== undefined && user.line > cmd.line) problems.push('final stage: USER comes after CMD');
  }

  if (cmd === undefined) problems.push('final stage: no CMD');
  else if (cmd.exec === undefined) problems.push(`final stage: CMD ${cmd.raw} is the shell form: a shell would be PID 1's child and SIGTERM would stop at it`);
  else {
    if (PACKAGE_RUNNERS.has(cmd.exec[0] ?? '')) problems.push(`final stage: CMD runs ${cmd.exec[0]}: SIGTERM must reach the gateway process itself`);
    if (JSON.stringify(cmd.exec) !== JSON.stringify(expect.cmd)) problems.push(`final stage: CMD ${JSON.stringify(cmd.exec)}, expected ${JSON.stringify(expect.cmd)}`);
  }
  const entrypoint = last(runtime, 'ENTRYPOINT');
  if (entrypoint !== undefined) {
    const exec = entrypoint.exec;
    if (exec === undefined) problems.push(`final stage: ENTRYPOINT ${entrypoint.raw} is the shell form`);
    else if (!INIT_PROCESSES.has(exec[0] ?? '') || exec.length !== 2 || exec[1] !== '--') {
      problems.push(`final stage: ENTRYPOINT ${JSON.stringify(exec)}: only an init process ("/usr/bin/tini", "--") may stand before the CMD`);
    } else if (!runtime.steps.some((s) => s.kind === 'RUN' && /\binstall\b[^&;|]*\btini\b/.test(s.command))) {
      problems.push('final stage: ENTRYPOINT is tini but no RUN installs tini');
    }
  }

  const health = last(runtime, 'HEALTHCHECK');
  if (health === undefined) problems.push('final stage: no HEALTHCHECK');
  else if (health.exec === undefined) problems.push(`final stage: HEALTHCHECK ${health.raw} is not an exec-form CMD`);
  else {
    const text = health.exec.join(' ');
    if (!text.includes(expect.livenessPath)) problems.push(`final stage: HEALTHCHECK does not probe ${expect.livenessPath}`);
    if (/\b(curl|wget)\b/.test(text)) problems.push('final stage: HEALTHCHECK uses curl/wget, which node:*-slim does not have');
  }

  const installs = runtime.steps.filter((s): s is Extract<Step, { kind: 'RUN' }> => s.kind === 'RUN' && /\bnpm (ci|install|i)\b/.test(s.command));
  if (installs.length === 0) problems.push('final stage: no npm ci --omit=dev (its node_modules must hold production dependencies only)');
  for (const install of installs) {
    if (!/\bnpm ci\b/.test(install.command) || !/--omit=dev\b/.test(install.command)) problems.push(`final stage, line ${install.line}: "${install.command}" is not npm ci --omit=dev`);
  }
  if (runtime.steps.some((s) => s.kind === 'COPY' && s.sources.some((src) => /(^|\/)node_modules\/?$/.test(src)))) {
    problems.push('final stage: copies a node_modules (dev dependencies included) instead of installing production ones');
  }

  const env = stageEnv(runtime);
  for (const [name, value] of Object.entries(expect.env)) {
    if (env[name] !== value) problems.push(`final stage: ENV ${name}=${env[name] ?? '(unset)'}, expected ${value}`);
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------------
// .dockerignore

interface IgnoreRule {
  readonly negate: boolean;
  readonly pattern: RegExp;
}

function globToRegExp(glob: string): RegExp {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] ?? '';
    if (c === '*' && glob[i + 1] === '*') {
      // `**/` is any number of whole directories (none included); a trailing `**` is anything.
      i++;
      if (glob[i + 1] === '/') {
        out += '(?:.*/)?';
        i++;
      } else out += '.*';
    } else if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else out += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${out}$`);
}

/** The rules of a .dockerignore file (Docker's syntax: globs, `**`, `!` exceptions, last match wins). */
export function parseDockerignore(text: string): IgnoreRule[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => {
      const negate = l.startsWith('!');
      const body = posix.normalize((negate ? l.slice(1) : l).trim()).replace(/^\/+/, '').replace(/\/+$/, '');
      return { negate, pattern: globToRegExp(body) };
    });
}

/** Whether a context path (relative, with /) is excluded: a pattern matching a parent directory excludes it too. */
export function isIgnored(rules: readonly IgnoreRule[], path: string): boolean {
  const parts = path.split('/');
  let ignored = false;
  for (const rule of rules) {
    for (let n = 1; n <= parts.length; n++) {
      if (rule.pattern.test(parts.slice(0, n).join('/'))) {
        ignored = !rule.negate;
        break;
      }
    }
  }
  return ignored;
}

// ---------------------------------------------------------------------------------------------------
// Replay

export interface TimelineEntry {
  readonly stage: string;
  readonly line: number;
  readonly step: string;
  /** What was done: `ran`, `copied`, `skipped: …`. */
  readonly outcome: string;
  readonly ms: number;
}

export interface BuiltImage {
  /** The final stage's root directory (standing for `/`). */
  readonly root: string;
  /** Its working directory on this machine (the container's WORKDIR under `root`). */
  readonly workdir: string;
  readonly env: Readonly<Record<string, string>>;
  readonly user: string | undefined;
  readonly cmd: readonly string[];
  readonly entrypoint: readonly string[] | undefined;
  readonly healthcheck: readonly string[] | undefined;
  readonly timeline: readonly TimelineEntry[];
}

export interface ReplayOptions {
  /** The build context (the repository). */
  readonly context: string;
  /** An empty directory of the caller's; every stage gets a directory in it. */
  readonly scratch: string;
  /** Environment for RUN beyond the stage's ENV (PATH with Node 24 first, HOME). */
  readonly baseEnv: Readonly<Record<string, string>>;
  /** Called as each step finishes. */
  readonly onStep?: (entry: TimelineEntry) => void;
}

/** RUN steps that install system packages: the image's, not this machine's. */
const SYSTEM_PACKAGES = /^apt-get\b/;
const NPM_CACHE_MOUNT = 'type=cache,target=/root/.npm';

function inStage(root: string, workdir: string, path: string): string {
  const absolute = path.startsWith('/') ? path : posix.join(workdir, path);
  return join(root, posix.normalize(absolute));
}

function runShell(command: string, cwd: string, env: Record<string, string>): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', command], { cwd, env: env as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code, signal) => (code === 0 ? resolve() : reject(new Error(`RUN ${command} exited with ${code ?? signal}:\n${output.slice(-4000)}`))));
  });
}

/** `cp -al`: the tree of `source` at `target`, its files hard-linked (same content, no bytes copied). */
function linkTree(source: string, target: string): void {
  const stat = lstatSync(source);
  if (stat.isSymbolicLink()) symlinkSync(readlinkSync(source), target);
  else if (stat.isDirectory()) {
    mkdirSync(target, { recursive: true });
    for (const entry of readdirSync(source)) linkTree(join(source, entry), join(target, entry));
  } else linkSync(source, target);
}

function copyInto(source: string, dest: string, destIsDir: boolean, options: { filter?: (src: string) => boolean; link?: boolean } = {}): void {
  if (!existsSync(source)) throw new Error(`COPY: ${source} not found`);
  const isDir = statSync(source).isDirectory();
  // A directory's contents go into dest; a file goes to dest, or into it when dest is a directory.
  const target = !isDir && destIsDir ? join(dest, basename(source)) : dest;
  mkdirSync(isDir ? target : dirname(target), { recursive: true });
  if (options.link && isDir) {
    for (const entry of readdirSync(source)) linkTree(join(source, entry), join(target, entry));
  } else cpSync(source, target, { recursive: true, verbatimSymlinks: true, ...(options.filter ? { filter: options.filter } : {}) });
}

/** Replays every stage in order; returns the final stage as an image to start. */
export async function replayBuild(model: DockerfileModel, options: ReplayOptions): Promise<BuiltImage> {
  const ignoreFile = join(options.context, '.dockerignore');
  const ignore = existsSync(ignoreFile) ? parseDockerignore(readFileSync(ignoreFile, 'utf8')) : [];
  const roots = new Map<string, string>();
  const timeline: TimelineEntry[] = [];
  let image: BuiltImage | undefined;

  for (const stage of model.stages) {
    const root = join(options.scratch, `${stage.index}-${stage.name}`);
    mkdirSync(root, { recursive: true });
    roots.set(stage.name, root);
    const inherited = roots.get(stage.from);
    if (inherited !== undefined && inherited !== root) cpSync(inherited, root, { recursive: true, verbatimSymlinks: true });
    let workdir = '/';
    let user: string | undefined;
    const env: Record<string, string> = {};
    let cmd: readonly string[] = [];
    let entrypoint: readonly string[] | undefined;
    let healthcheck: readonly string[] | undefined;
    const record = (step: Step, outcome: string, started: number) => {
      const text = step.kind === 'RUN' ? `RUN ${step.command}` : step.kind === 'COPY' ? `COPY ${step.from ? `--from=${step.from} ` : ''}${[...step.sources, step.dest].join(' ')}` : step.kind;
      const entry = { stage: stage.name, line: step.line, step: text, outcome, ms: Math.round(performance.now() - started) };
      timeline.push(entry);
      options.onStep?.(entry);
    };

    for (const step of stage.steps) {
      const started = performance.now();
      switch (step.kind) {
        case 'WORKDIR':
          workdir = posix.resolve(workdir, step.path);
          mkdirSync(inStage(root, '/', workdir), { recursive: true });
          break;
        case 'ENV':
          for (const [name, value] of Object.entries(step.vars)) {
            if (value.includes('$')) throw new Error(`line ${step.line}: ENV ${name} refers to a variable, which this replay does not expand`);
            env[name] = value;
          }
          break;
        case 'USER':
          user = step.user;
          break;
        case 'COPY': {
          const destIsDir = step.dest.endsWith('/') || step.sources.length > 1;
          const dest = inStage(root, workdir, step.dest);
          for (const source of step.sources) {
            if (/[*?[]/.test(source)) throw new Error(`line ${step.line}: COPY wildcards are not replayed by this check`);
            if (step.from !== undefined) {
              const fromRoot = roots.get(step.from);
              if (fromRoot === undefined) throw new Error(`line ${step.line}: COPY --from=${step.from}: no earlier stage of that name`);
              // Between stages the files are hard-linked, not copied (node_modules: ~900 MB, ~18 s to copy).
              // Nothing modifies an earlier stage once it is done, so the trees stay as COPY would leave them.
              copyInto(inStage(fromRoot, '/', source), dest, destIsDir, { link: true });
            } else {
              const rel = posix.normalize(source).replace(/^\/+/, '').replace(/\/+$/, '');
              if (isIgnored(ignore, rel)) throw new Error(`line ${step.line}: COPY ${source}: excluded by .dockerignore (docker build would fail)`);
              copyInto(join(options.context, rel), dest, destIsDir, {
                filter: (src) => {
                  const path = relative(options.context, src).split('\\').join('/');
                  return path === '' || !isIgnored(ignore, path);
                },
              });
            }
          }
          record(step, 'copied', started);
          continue;
        }
        case 'RUN': {
          if (SYSTEM_PACKAGES.test(step.command)) {
            record(step, 'skipped: system packages are the image’s (Debian), not this machine’s', started);
            continue;
          }
          const unknownMounts = step.mounts.filter((m) => m !== NPM_CACHE_MOUNT);
          if (unknownMounts.length > 0) throw new Error(`line ${step.line}: RUN --mount=${unknownMounts[0]} is not replayed by this check`);
          if (user !== undefined) throw new Error(`line ${step.line}: RUN after USER is not replayed by this check`);
          await runShell(step.command, inStage(root, '/', workdir), { ...options.baseEnv, ...env });
          record(step, 'ran', started);
          continue;
        }
        case 'CMD':
          if (step.exec === undefined) throw new Error(`line ${step.line}: shell-form CMD is not replayed by this check`);
          cmd = step.exec;
          break;
        case 'ENTRYPOINT':
          entrypoint = step.exec;
          break;
        case 'HEALTHCHECK':
          healthcheck = step.exec;
          break;
        case 'EXPOSE':
          break;
        case 'OTHER':
          if (step.keyword !== 'LABEL' && step.keyword !== 'ARG' && step.keyword !== 'STOPSIGNAL') throw new Error(`line ${step.line}: ${step.keyword} is not replayed by this check`);
          break;
      }
    }
    image = { root, workdir: inStage(root, '/', workdir), env, user, cmd, entrypoint, healthcheck, timeline };
  }
  if (image === undefined) throw new Error('no stage');
  return image;
}

// ---------------------------------------------------------------------------------------------------
// Start

/** The user of `USER uid:gid` for spawn, when this process may switch to it (root); else undefined (run as ourselves). */
export function spawnIdentity(user: string | undefined): { uid: number; gid: number } | undefined {
  if (user === undefined || process.getuid?.() !== 0) return undefined;
  const [uid, gid = uid] = user.split(':').map(Number);
  return uid === undefined || gid === undefined || Number.isNaN(uid) || Number.isNaN(gid) ? undefined : { uid, gid };
}

/**
 * Starts the image's command the way the container would (same argv, in its WORKDIR, with its ENV,
 * as its USER when possible), with `env` on top (the variables `docker run -e` would pass).
 */
export function startImage(image: BuiltImage, env: Readonly<Record<string, string>>, command: readonly string[] = image.cmd): ChildProcess {
  const [file, ...args] = command;
  if (file === undefined) throw new Error('empty command');
  const identity = spawnIdentity(image.user);
  return spawn(file, args, {
    cwd: image.workdir,
    env: { ...image.env, ...env } as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(identity ?? {}),
  });
}

/** Files under `dir` modified after `since` (ms since the epoch), relative to it. */
export function writtenSince(dir: string, since: number): string[] {
  const out: string[] = [];
  const walk = (path: string) => {
    for (const entry of readdirSync(path, { withFileTypes: true })) {
      const full = join(path, entry.name);
      const stat = lstatSync(full);
      if (stat.mtimeMs > since || stat.ctimeMs > since) out.push(relative(dir, full));
      if (entry.isDirectory() && !entry.isSymbolicLink()) walk(full);
    }
  };
  walk(dir);
  return out;
}
