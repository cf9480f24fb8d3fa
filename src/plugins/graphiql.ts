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
}

function tabOf(example: GraphiQLExample): { query: string; variables: string | null } {
  const query = `# ${example.file ? `From ${example.file}` : example.name}\n${example.body.trim()}\n`;
  return { query, variables: example.variables ? JSON.stringify(example.variables, null, 2) : null };
}

/** GraphiQL's options: one tab per example, the headers editor open for the dev bearer token. */
export function graphiqlOptions(options: GatewayGraphiQLOptions = {}): GraphiQLOptions {
  const tabs = (options.examples ?? []).map(tabOf);
  return {
    title: options.title ?? 'BFF gateway',
    defaultQuery: tabs[0]?.query ?? '{ ping }\n',
    ...(tabs.length > 0 ? { defaultTabs: tabs } : {}),
    // The caller's token goes in the headers editor (`{"Authorization": "Bearer …"}`): show it,
    // and keep it across reloads so a developer pastes it once.
    defaultEditorToolsVisibility: 'headers',
    shouldPersistHeaders: true,
  };
}

/**
 * Renders GraphiQL with its scripts and styles inlined. Imported on first use: the bundle is large
 * (about 9 MB) and a production server, where GraphiQL is off, never loads it.
 */
export async function renderOfflineGraphiQL(options: GraphiQLOptions): Promise<string> {
  const { renderGraphiQL } = await import('@graphql-yoga/render-graphiql');
  return renderGraphiQL(options);
}
