// graphql-yoga on node:http over the same schema and providers, in the variants the peers need:
// plain (the baseline the table's ratios are taken against), naive (N+1), + graphql-jit, + the
// Guild's protection plugins, + the response cache. See peer-yoga.ts for the variants' plugins.
import { createServer } from 'node:http';
import { createYoga } from 'graphql-yoga';
import { buildConfig, loadEnv, type GatewayConfig } from '../../../src/server/config';
import type { Served } from '../child-runtime';
import { listenOnLoopback } from './listen';
import { createPlainProviders } from './plain-providers';
import { peerSchema, peerContext, type PeerContext } from './resolvers';
import type { YogaPlugin } from './yoga-plugins';

export interface YogaVariant {
  /** Batched (DataLoader per request) or naive (one provider call per field). @default 'batched' */
  readonly fetchers?: 'batched' | 'naive';
  /** The variant's plugins, built from the gateway's config (limits) once the schema exists. */
  readonly plugins?: (config: GatewayConfig) => YogaPlugin[];
}

export async function serveYoga(variant: YogaVariant = {}): Promise<Served> {
  const config = buildConfig(loadEnv());
  const { providers, close } = await createPlainProviders(config);
  const yoga = createYoga<Record<string, unknown>, PeerContext>({
    schema: peerSchema(),
    graphqlEndpoint: '/api/graphql',
    logging: false,
    landingPage: false,
    graphiql: false,
    plugins: variant.plugins?.(config) ?? [],
    context: () => peerContext(providers, variant.fetchers ?? 'batched'),
  });
  const server = createServer(yoga);
  return listenOnLoopback(server, close);
}
