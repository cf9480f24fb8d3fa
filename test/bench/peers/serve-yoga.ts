// Plain graphql-yoga on node:http over the same schema and providers: the baseline the table's
// ratios are taken against (batched) and the N+1 variant (naive). No plugins, no protections.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { createYoga } from 'graphql-yoga';
import { buildConfig, loadEnv } from '../../../src/server/config';
import { typeDefs } from '../../../src/generated/type-defs';
import type { Served } from '../child-runtime';
import { createPlainProviders } from './plain-providers';
import { batchedFetchers, naiveFetchers, peerCall, peerResolvers, type PeerContext } from './resolvers';

export async function serveYoga(kind: 'batched' | 'naive'): Promise<Served> {
  const { providers, close } = await createPlainProviders(buildConfig(loadEnv()));
  const fetchers = kind === 'batched' ? batchedFetchers : naiveFetchers;
  const yoga = createYoga<Record<string, unknown>, PeerContext>({
    schema: makeExecutableSchema<PeerContext>({ typeDefs, resolvers: peerResolvers }),
    graphqlEndpoint: '/api/graphql',
    logging: false,
    landingPage: false,
    graphiql: false,
    context: () => {
      const call = peerCall();
      return { providers, call, fetch: fetchers(providers, call) };
    },
  });
  const server = createServer(yoga);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/api/graphql`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await close();
    },
  };
}
