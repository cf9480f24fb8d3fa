// The launcher's banner (src/server/launcher.ts): only what works in the mode just started. Development
// runs any query (GraphiQL, a curl POST); production runs persisted operations only, so its example is a
// persisted GET by documentId.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseManifestText } from '../operations/manifest';
import { PERSISTED_QUERIES_LAYOUT } from '../operations/manifest-files';

export interface BannerOptions {
  readonly mode: 'development' | 'production';
  /** `Next.js`, `Next.js custom server` or `node:http`. */
  readonly mount: string;
  /** The GraphQL endpoint as a client on this machine reaches it. */
  readonly url: string;
  /** The interface bound; undefined: every interface. */
  readonly host: string | undefined;
  /** The simulated providers' URLs when the launcher started them. @default none */
  readonly providers?: Readonly<Record<string, string>> | undefined;
  /** A dev token for user-1 (demo only). @default none */
  readonly token?: string | undefined;
  /** Folder of manifest.json (`config.persistedOperations.dir`). */
  readonly persistedDir: string;
}

const EXAMPLE_QUERY = `{ orders(first: 3) { edges { node { id customer { name } lines { quantity product { title priceCents averageRating reviews { rating author { name } } } } } } } }`;
const PERSISTED_EXAMPLE = 'Catalogue';

function persistedId(dir: string, name: string): string | undefined {
  const file = join(dir, PERSISTED_QUERIES_LAYOUT.manifest);
  return parseManifestText(readFileSync(file, 'utf8'), file).operations.find((operation) => operation.name === name)?.id;
}

function developmentLines(options: BannerOptions): string[] {
  const { url, token } = options;
  const lines = [`GraphiQL: open ${url} in a browser`];
  if (token === undefined) return lines;
  return [
    ...lines,
    '',
    'Dev token for user-1 (every GraphiQL tab already sends it: nothing to paste; another user: npm run -s token user-2, in a tab\'s headers):',
    token,
    '',
    'Example query:',
    EXAMPLE_QUERY,
    '',
    'From a shell:',
    `curl -s ${url} -H 'content-type: application/json' -H "authorization: Bearer ${token}" \\`,
    `  -d '${JSON.stringify({ query: EXAMPLE_QUERY })}'`,
  ];
}

function productionLines(options: BannerOptions): string[] {
  const { url, token } = options;
  const lines = ['GraphiQL and introspection are off in production mode; clients send persisted operations (persisted-queries/manifest.json).'];
  const id = persistedId(options.persistedDir, PERSISTED_EXAMPLE);
  if (id !== undefined) {
    const search = `documentId=sha256:${id}&variables=${encodeURIComponent(JSON.stringify({ first: 3 }))}`;
    // The preflight header passes the GET's CSRF check whatever the request carries (cookies included).
    lines.push('', `The ${PERSISTED_EXAMPLE} operation (public, no token), as a persisted GET:`, `curl -s '${url}?${search}' -H 'graphql-require-preflight: 1'`);
  }
  if (token !== undefined) {
    lines.push('', 'Dev token for user-1, for the operations that need a caller (-H "authorization: Bearer <token>"; another user: npm run -s token user-2):', token);
  }
  return lines;
}

export function bannerLines(options: BannerOptions): string[] {
  const where = options.host === undefined ? 'every interface (HOST unset)' : `${options.host} only (set HOST to bind another interface)`;
  const lines = ['', `Gateway (${options.mode}, ${options.mount}) ready at ${options.url}`, `Listening on ${where}.`];
  lines.push(...(options.mode === 'development' ? developmentLines(options) : productionLines(options)));
  if (options.providers !== undefined) {
    lines.push('', 'Simulated providers:', ...Object.entries(options.providers).map(([name, u]) => `  ${name.padEnd(9)} ${u}`));
  }
  return lines;
}
