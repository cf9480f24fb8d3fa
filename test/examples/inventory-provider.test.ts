// README "Add a provider", done: examples/inventory-provider applied to a scratch copy of the
// repository touches at most five files plus its own test, and there codegen, the static checks and
// the unit and integration suites pass (its test included) without any other file being edited.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { applyExampleToCopy, type AppliedExample } from './apply-example';

// Codegen, typecheck and lint take ~1 min together, the two suites ~2 min.
const TIMEOUT_MS = 8 * 60_000;

let applied: AppliedExample | undefined;
afterAll(() => {
  if (applied !== undefined) rmSync(applied.dir, { recursive: true, force: true });
});

function run(dir: string, command: string, args: readonly string[]): void {
  const result = spawnSync(command, args, { cwd: dir, encoding: 'utf8', env: { ...process.env, CI: '1', FORCE_COLOR: '0' }, maxBuffer: 64 * 1024 * 1024 });
  const output = `${result.stdout}${result.stderr}`;
  if (result.status !== 0) throw new Error(`${[command, ...args].join(' ')} failed (${result.status ?? result.signal}) in ${dir}:\n${output.slice(-6000)}`);
}

describe('examples/inventory-provider', () => {
  it(
    'adds a REST provider in five files plus its test; codegen, typecheck, lint, ops:check, schema:check, providers:check and the tests pass',
    () => {
      applied = applyExampleToCopy(process.cwd(), 'inventory-provider');
      const { dir, touched } = applied;
      const tests = touched.filter((path) => path.startsWith('test/'));
      expect(tests).toEqual(['test/integration/inventory.test.ts']);
      expect(touched.filter((path) => !tests.includes(path))).toEqual([
        'schema/inventory.graphql',
        'src/dev/upstreams/inventory.ts',
        'src/providers/inventory/index.ts',
        'src/providers/registry.ts',
        'src/resolvers/catalog.ts',
      ]);
      run(dir, 'npm', ['run', '-s', 'codegen']);
      run(dir, 'npx', ['tsc', '--noEmit', '-p', '.']);
      run(dir, 'npx', ['eslint', '.']);
      run(dir, 'npm', ['run', '-s', 'ops:check']);
      run(dir, 'npm', ['run', '-s', 'schema:check']);
      // DEMO=1 npm run providers:check: the new provider's contract against its simulator.
      run(dir, 'npx', ['tsx', 'src/dev/providers-check-demo.ts']);
      run(dir, 'npx', ['vitest', 'run', 'test/unit', 'test/integration']);
    },
    TIMEOUT_MS,
  );
});
