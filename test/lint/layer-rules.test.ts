// The layer rules of ARCHITECTURE.md fire: every forbidden (importer folder, imported folder) pair of
// src/ is linted as a probe with ESLint's Node API (lintText with a filePath inside the folder: no file
// is written) and must report `import-x/no-restricted-paths` with a message naming the zone; every
// allowed pair must not. The expectations below are written out on their own (not read from
// eslint.config.js), so that loosening a zone there breaks this test.
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ESLint, type Linter } from 'eslint';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const SRC = path.join(ROOT, 'src');
const ZONE_RULE = 'import-x/no-restricted-paths';
const IMPORT_RULE = 'no-restricted-imports';

// ---- The spec: what each folder of src/ may import (everything else in src/ is forbidden) ------------
const LEAVES = ['errors', 'config', 'observability', 'auth'];
/** Folders nobody outside the listed importers may import (their zone is named `* ↛ folder`). */
const GUARDED: Record<string, readonly string[]> = {
  dev: ['dev'],
  tooling: ['tooling', 'dev'],
  app: ['app', 'dev'],
  pages: ['pages', 'dev'],
};
const FOLDERS = [...LEAVES, 'http', 'providers', 'loaders', 'resolvers', 'plugins', 'operations', 'tooling', 'server', 'app', 'pages', 'generated', 'dev'];
const but = (...denied: string[]) => FOLDERS.filter((f) => !denied.includes(f));
const guardedFrom = (importer: string) => Object.keys(GUARDED).filter((g) => !GUARDED[g]!.includes(importer));
const MAY: Record<string, readonly string[]> = {
  errors: LEAVES,
  config: LEAVES,
  observability: LEAVES,
  auth: LEAVES,
  http: LEAVES,
  providers: [...LEAVES, 'http'],
  loaders: [...LEAVES, 'providers'], // and src/http/types.ts alone (below)
  operations: LEAVES,
  tooling: [...LEAVES, 'operations', 'providers'], // and http/types.ts, server/config.ts, server/provider-http.ts alone (below)
  resolvers: but('http', 'plugins', ...guardedFrom('resolvers')),
  plugins: but('providers', 'loaders', 'resolvers', 'http', ...guardedFrom('plugins')),
  server: but(...guardedFrom('server')),
  app: but(...guardedFrom('app')),
  pages: but(...guardedFrom('pages')),
  dev: FOLDERS,
  // src/generated is not linted (eslint ignores it): no importer row.
};

// ---- Linting probes --------------------------------------------------------------------------------
const eslint = new ESLint({ cwd: ROOT });

/** For folders that do not exist yet (src/tooling before the split): resolve '../tooling/x' to a path there. */
const futureFolders = {
  interfaceVersion: 3 as const,
  name: 'future-folders',
  resolve(modulePath: string, sourceFile: string) {
    if (!modulePath.startsWith('.')) return { found: false as const };
    const absolute = path.resolve(path.dirname(sourceFile), modulePath);
    const parts = path.relative(SRC, absolute).split(path.sep);
    if (parts[0] === '..' || existsSync(path.join(SRC, parts[0]!))) return { found: false as const };
    return { found: true as const, path: parts.length === 1 ? path.join(absolute, 'index.ts') : `${absolute}.ts` };
  },
};
const eslintWithFutureFolders = new ESLint({
  cwd: ROOT,
  overrideConfig: [
    {
      files: ['src/**'],
      settings: {
        'import-x/resolver-next': [createTypeScriptImportResolver({ project: path.join(ROOT, 'tsconfig.json') }), futureFolders],
      },
    },
  ],
});

const LAYER_RULES = new Set([ZONE_RULE, IMPORT_RULE]);

async function lint(filePath: string, code: string, engine = eslint): Promise<Linter.LintMessage[]> {
  const [result] = await engine.lintText(code, { filePath: path.join(ROOT, filePath) });
  const messages = result!.messages;
  const fatal = messages.filter((m) => m.fatal);
  expect(fatal, `${filePath} did not parse`).toEqual([]);
  return messages.filter((m) => m.ruleId !== null && LAYER_RULES.has(m.ruleId));
}

/** A real .ts file of the folder (its index if any), or a made-up one when the folder does not exist. */
function filesOf(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const full = path.join(dir, name);
      if (statSync(full).isDirectory()) return filesOf(full);
      return /\.tsx?$/.test(name) && !name.endsWith('.d.ts') ? [full] : [];
    });
}
function targetOf(folder: string, deep: boolean): { file: string; real: boolean } {
  const dir = path.join(SRC, folder);
  const files = filesOf(dir);
  if (files.length === 0) return { file: path.join(dir, deep ? 'nested/thing.ts' : 'index.ts'), real: false };
  const nested = files.filter((f) => path.dirname(f) !== dir);
  const index = files.find((f) => f === path.join(dir, 'index.ts'));
  return { file: (deep ? nested[0] : index) ?? files[0]!, real: true };
}
function specifier(fromFile: string, toFile: string): string {
  let spec = path.relative(path.dirname(fromFile), toFile).split(path.sep).join('/');
  spec = spec.replace(/\.tsx?$/, '').replace(/\/index$/, '');
  return spec.startsWith('.') ? spec : `./${spec}`;
}
const zoneName = (importer: string, imported: string) => (imported in GUARDED ? `[layer * ↛ ${imported}]` : `[layer ${importer} ↛ ${imported}]`);

// ---- The tests ---------------------------------------------------------------------------------------
describe('layer rules (eslint.config.js path zones)', () => {
  it('classify every folder of src/ (a new folder needs its row here and in eslint.config.js LAYERS)', () => {
    const folders = readdirSync(SRC).filter((f) => statSync(path.join(SRC, f)).isDirectory());
    expect(folders.filter((f) => !FOLDERS.includes(f))).toEqual([]);
  });

  // Every importer folder × every other folder, from a file at the folder's top ('../x') and from one
  // in a subfolder ('../../x/sub/file'), so that the zones cover future feature subfolders too.
  const provenZones = new Set<string>();
  const provenPairs = new Set<string>();
  for (const importer of Object.keys(MAY)) {
    for (const deep of [false, true]) {
      const probe = deep ? `src/${importer}/some-feature/deeper/__probe.ts` : `src/${importer}/__probe.ts`;
      it(`${probe}: forbidden imports fire, allowed ones do not`, async () => {
        const others = FOLDERS.filter((f) => f !== importer);
        const cases = others.map((imported) => ({ imported, ...targetOf(imported, deep) }));
        for (const real of [true, false]) {
          const batch = cases.filter((c) => c.real === real);
          if (batch.length === 0) continue;
          const probePath = path.join(ROOT, probe);
          // One import per line, so that each message can be traced back to its import.
          const code = batch.map((c, i) => `import * as m${i} from '${specifier(probePath, c.file)}';`).join('\n') + `\nexport { ${batch.map((_, i) => `m${i}`).join(', ')} };\n`;
          const messages = await lint(probe, code, real ? eslint : eslintWithFutureFolders);
          batch.forEach((c, i) => {
            const onLine = messages.filter((m) => m.line === i + 1);
            const label = `${probe} importing ${specifier(probePath, c.file)} (src/${c.imported})`;
            if (MAY[importer]!.includes(c.imported)) {
              expect(onLine, `${label} must be allowed`).toEqual([]);
            } else {
              expect(onLine.map((m) => m.ruleId), `${label} must fire once`).toEqual([ZONE_RULE]);
              expect(onLine[0]!.message).toContain(zoneName(importer, c.imported));
              expect(onLine[0]!.message).toContain(`src/${c.imported}`);
              provenZones.add(zoneName(importer, c.imported));
              provenPairs.add(`${importer} ↛ ${c.imported}`);
            }
          });
          expect(messages.filter((m) => m.line > batch.length)).toEqual([]);
        }
      });
    }
  }

  it('proved every forbidden pair (the count the issue note quotes)', () => {
    const expected = new Set<string>();
    for (const [importer, may] of Object.entries(MAY)) {
      for (const imported of FOLDERS) if (imported !== importer && !may.includes(imported)) expected.add(zoneName(importer, imported));
    }
    expect([...provenZones].sort()).toEqual([...expected].sort());
    // 70 zones of one layer toward another + 4 guarded folders (dev, tooling, app, pages), proven
    // through 123 forbidden (importer, imported) pairs, each from two depths.
    expect(provenZones.size).toBe(74);
    expect(provenPairs.size).toBe(123);
  });

  describe('the cases named in issue 20', () => {
    const fires = async (file: string, code: string, zone: string, rule = ZONE_RULE) => {
      const messages = await lint(file, code);
      expect(messages.map((m) => m.ruleId), `${file}: ${code}`).toEqual([rule]);
      expect(messages[0]!.message).toContain(zone);
    };
    const passes = async (file: string, code: string) => {
      expect(await lint(file, code), `${file}: ${code}`).toEqual([]);
    };

    it('src/http importing ../providers, ../loaders, ../resolvers, ../plugins/x, ../server/yoga', async () => {
      await fires('src/http/p.ts', "export * from '../providers';", '[layer http ↛ providers]');
      await fires('src/http/p.ts', "export * from '../loaders';", '[layer http ↛ loaders]');
      await fires('src/http/p.ts', "export * from '../resolvers';", '[layer http ↛ resolvers]');
      await fires('src/http/p.ts', "export * from '../plugins/request-id';", '[layer http ↛ plugins]');
      await fires('src/http/p.ts', "export * from '../server/yoga';", '[layer http ↛ server]');
      await passes('src/http/p.ts', "export * from '../errors/app-error';\nexport * from '../observability/channels';");
    });

    it('src/http importing graphql (the package)', async () => {
      const zone = '[layer http ↛ graphql]';
      await fires('src/http/p.ts', "export { parse } from 'graphql';", zone, IMPORT_RULE);
      await fires('src/http/p.ts', "import type { DocumentNode } from 'graphql';\nexport type D = DocumentNode;", zone, IMPORT_RULE);
      await fires('src/http/sub/p.ts', "export { Kind } from 'graphql/language';", zone, IMPORT_RULE);
      await fires('src/http/p.ts', "export { createYoga } from 'graphql-yoga';", zone, IMPORT_RULE);
      await passes('src/providers/p.ts', "export { parse } from 'graphql';");
    });

    it('every import form is seen: import type, export-from, dynamic import, require, a .js suffix', async () => {
      const zone = '[layer http ↛ providers]';
      await fires('src/http/p.ts', "import type { Providers } from '../providers';\nexport type P = Providers;", zone);
      await fires('src/http/p.ts', "export type { Providers } from '../providers';", zone);
      await fires('src/http/p.ts', "export const p = () => import('../providers');", zone);
      await fires('src/http/p.ts', "import p = require('../providers');\nexport { p };", zone);
      await fires('src/http/p.ts', "export * from '../providers/index.js';", zone);
      await fires('src/http/p.ts', "export * from './../http/../providers';", zone);
    });

    it('a plugin in a feature subfolder importing ../../providers/catalog/client', async () => {
      await fires('src/plugins/response-cache/p.ts', "export * from '../../providers/catalog/client';", '[layer plugins ↛ providers]');
      await fires('src/plugins/response-cache/store/p.ts', "export * from '../../../loaders';", '[layer plugins ↛ loaders]');
      await passes('src/plugins/response-cache/p.ts', "export * from '../../errors/app-error';\nexport * from '../../operations/limits';");
    });

    it('src/loaders: providers and http/types.ts only', async () => {
      await passes('src/loaders/p.ts', "export * from '../providers';\nexport type { CallContext } from '../http/types';");
      await fires('src/loaders/p.ts', "export * from '../http/client';", '[layer loaders ↛ http]');
      await fires('src/loaders/p.ts', "export * from '../resolvers';", '[layer loaders ↛ resolvers]');
    });

    it('src/tooling: providers, and of http and server only the files providers:check builds its clients with (issue 25)', async () => {
      await passes(
        'src/tooling/p.ts',
        "export * from '../providers';\nexport type { CallContext } from '../http/types';\nexport * from '../server/config';\nexport * from '../server/provider-http';",
      );
      await fires('src/tooling/p.ts', "export * from '../http/client';", '[layer tooling ↛ http]');
      await fires('src/tooling/p.ts', "export * from '../server/yoga';", '[layer tooling ↛ server]');
      await fires('src/tooling/p.ts', "export * from '../server/gateway';", '[layer tooling ↛ server]');
      await fires('src/tooling/p.ts', "export * from '../loaders';", '[layer tooling ↛ loaders]');
    });

    it('src/resolvers never import http or plugins', async () => {
      await fires('src/resolvers/p.ts', "export type { CallContext } from '../http/types';", '[layer resolvers ↛ http]');
      await fires('src/resolvers/p.ts', "export * from '../plugins/request-id';", '[layer resolvers ↛ plugins]');
      await passes('src/resolvers/p.ts', "export * from '../providers/page';");
    });

    it('nothing outside src/dev imports src/dev; src/dev and the tests may', async () => {
      await fires('src/server/p.ts', "export * from '../dev/upstreams';", '[layer * ↛ dev]');
      await fires('src/server/wiring/p.ts', "export * from '../../dev/demo-env';", '[layer * ↛ dev]');
      await fires('src/app/api/graphql/route.ts', "export * from '../../../dev/upstreams';", '[layer * ↛ dev]');
      await passes('src/dev/p.ts', "export * from '../server/yoga';");
      await passes('test/integration/p.test.ts', "export * from '../../src/dev/upstreams';");
    });

    it('no known violation is left (src/observability/operation-events.ts reads its channels from ./channels)', async () => {
      await fires('src/observability/operation-events.ts', "export * from '../operations/limits';", '[layer observability ↛ operations]');
      await passes('src/observability/operation-events.ts', "export * from './channels';");
    });

    describe('aliased and baseUrl-absolute imports (should tsconfig ever get `paths`)', () => {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'layer-rules-'));
      afterAll(() => rmSync(dir, { recursive: true, force: true }));
      const tsconfig = path.join(dir, 'tsconfig.json');
      writeFileSync(tsconfig, JSON.stringify({ extends: path.join(ROOT, 'tsconfig.json'), compilerOptions: { baseUrl: ROOT, paths: { '@/*': ['src/*'] } } }));
      const aliased = new ESLint({
        cwd: ROOT,
        overrideConfig: [{ files: ['src/**'], settings: { 'import-x/resolver-next': [createTypeScriptImportResolver({ project: tsconfig })] } }],
      });

      it('fire as the relative form does', async () => {
        for (const spec of ['@/providers', '@/providers/catalog/client', 'src/providers']) {
          const messages = await lint('src/http/p.ts', `export * from '${spec}';`, aliased);
          expect(messages.map((m) => m.ruleId), spec).toEqual([ZONE_RULE]);
          expect(messages[0]!.message).toContain('[layer http ↛ providers]');
        }
        expect(await lint('src/http/p.ts', "export * from '@/errors/app-error';", aliased)).toEqual([]);
      });
    });
  });
});
