// GraphiQL for development, rendered from bundled assets (no CDN: works offline and behind firewalls),
// with the client's persisted operations opened as tabs so that a developer starts from real queries.
import type { GraphiQLOptions } from 'graphql-yoga';

export interface GraphiQLExample {
  /** The operation name, shown as the first line of its tab. */
  readonly name: string;
  /** The operation and the fragments it uses. */
  readonly body: string;
  /** The source file, named in the tab's first line. @default none */
  readonly file?: string;
  /** Variables prefilled in the tab's variables editor. @default none */
  readonly variables?: Readonly<Record<string, unknown>>;
}

export interface GatewayGraphiQLOptions {
  /** Operations opened as tabs, in this order; without any, one tab with `{ ping }`. @default [] */
  readonly examples?: readonly GraphiQLExample[];
  /** @default 'BFF gateway' */
  readonly title?: string;
  /**
   * A bearer token every tab sends (development: the dev token `npm run dev` prints, GRAPHIQL_TOKEN), so
   * that the examples run with nothing pasted. @default none: the developer puts one in the headers
   */
  readonly token?: string | undefined;
}

function tabOf(example: GraphiQLExample, headers: string | null): { query: string; variables: string | null; headers: string | null } {
  const query = `# ${example.file ? `From ${example.file}` : example.name}\n${example.body.trim()}\n`;
  return { query, variables: example.variables ? JSON.stringify(example.variables, null, 2) : null, headers };
}

/** GraphiQL's options: one tab per example, the headers editor open for the bearer token. */
export function graphiqlOptions(options: GatewayGraphiQLOptions = {}): GraphiQLOptions {
  const authorization = options.token === undefined ? undefined : { Authorization: `Bearer ${options.token}` };
  const headers = authorization === undefined ? undefined : JSON.stringify(authorization, null, 2);
  const tabs = (options.examples ?? []).map((example) => tabOf(example, headers ?? null));
  const base: GraphiQLOptions = {
    title: options.title ?? 'BFF gateway',
    defaultQuery: tabs[0]?.query ?? '{ ping }\n',
    ...(tabs.length > 0 ? { defaultTabs: tabs } : {}),
    defaultEditorToolsVisibility: 'headers',
  };
  // Without a token, the caller's goes in the headers editor (`{"Authorization": "Bearer …"}`): show it,
  // and keep it across reloads so that a developer pastes it once.
  if (authorization === undefined || headers === undefined) return { ...base, shouldPersistHeaders: true };
  // With one, every example tab and every new tab shows it in its headers, and every request carries it
  // (shared headers, under a tab's own), so that tabs restored from the browser's storage, which keeps
  // no headers here (a token stored yesterday would have expired), still run. A tab calls as nobody
  // with `{"Authorization": ""}`.
  return { ...base, headers, defaultHeaders: headers, additionalHeaders: authorization, shouldPersistHeaders: false };
}

/**
 * Renders GraphiQL with its scripts and styles inlined. Imported on first use: the bundle is large
 * (about 9 MB) and a production server, where GraphiQL is off, never loads it.
 */
export async function renderOfflineGraphiQL(options: GraphiQLOptions): Promise<string> {
  const { renderGraphiQL } = await import('@graphql-yoga/render-graphiql');
  return renderGraphiQL(options);
}
