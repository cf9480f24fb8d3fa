// Applies a worked example (examples/<name>/: files under `add/` are new files at the same paths,
// `*.patch` are edits) to a scratch copy of this repository, so that README's walkthrough is checked
// by doing it: test/examples/<name>.test.ts then runs codegen, the static checks and the tests there.
//   npx tsx test/examples/apply-example.ts inventory-provider   → prints the scratch dir and the files touched
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, linkSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readlinkSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';

export interface AppliedExample {
  /** The scratch copy, the example applied. */
  readonly dir: string;
  /** Repository paths the example adds or edits, sorted. */
  readonly touched: readonly string[];
}

// Caches written in place would reach the repository's own copy through a hard link.
const UNLINKED = new Set(['.vite', '.cache']);

/** `cp -al`: the tree at `target`, its files hard-linked to `source`'s (no bytes copied). */
function linkTree(source: string, target: string, depth = 0): void {
  const stat = lstatSync(source);
  if (stat.isSymbolicLink()) symlinkSync(readlinkSync(source), target);
  else if (stat.isDirectory()) {
    mkdirSync(target, { recursive: true });
    for (const entry of readdirSync(source)) if (depth > 0 || !UNLINKED.has(entry)) linkTree(join(source, entry), join(target, entry), depth + 1);
  } else linkSync(source, target);
}

function filesOf(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? filesOf(join(dir, entry.name)) : [join(dir, entry.name)]));
}

/** The repository's files (tracked and untracked, not ignored) at `dir`, with node_modules hard-linked. */
export function copyRepository(root: string, dir: string): void {
  const listed = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  for (const file of new Set(listed.split('\0').filter(Boolean))) {
    // Deleted in the working tree but still in the index: absent from the copy too.
    if (!existsSync(join(root, file))) continue;
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    copyFileSync(join(root, file), join(dir, file));
  }
  linkTree(join(root, 'node_modules'), join(dir, 'node_modules'));
}

/** Adds the example's new files and applies its patches in `dir`; returns the repository paths it touched. */
export function applyExample(example: string, dir: string): string[] {
  const touched = new Set<string>();
  const added = join(example, 'add');
  for (const file of existsSync(added) ? filesOf(added) : []) {
    const path = relative(added, file).split(sep).join('/');
    if (existsSync(join(dir, path))) throw new Error(`${path}: the example adds it, but the repository already has it`);
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    copyFileSync(file, join(dir, path));
    touched.add(path);
  }
  for (const patch of readdirSync(example).filter((name) => name.endsWith('.patch')).sort()) {
    const text = join(example, patch);
    // A patch that no longer applies is what this check is for: the README's steps went stale.
    execFileSync('git', ['apply', '--verbose', text], { cwd: dir, stdio: 'pipe' });
    const changed = execFileSync('git', ['apply', '--numstat', text], { cwd: dir, encoding: 'utf8' });
    for (const line of changed.split('\n').filter(Boolean)) touched.add(line.split('\t')[2] ?? line);
  }
  return [...touched].sort();
}

/** A scratch copy of the repository at `root` with examples/<name> applied. */
export function applyExampleToCopy(root: string, name: string): AppliedExample {
  const dir = mkdtempSync(join(tmpdir(), `bff-example-${name}-`));
  copyRepository(root, dir);
  return { dir, touched: applyExample(join(root, 'examples', name), dir) };
}

if (process.argv[1] !== undefined && import.meta.filename === process.argv[1]) {
  const name = process.argv[2] ?? 'inventory-provider';
  const { dir, touched } = applyExampleToCopy(process.cwd(), name);
  console.log(`${name} applied in ${dir}:\n${touched.map((path) => `  ${path}`).join('\n')}`);
}
