// Peer child: Apollo Server 5 standalone (its own node:http handler) + DataLoader, same schema,
// resolvers and providers as yoga-plain.
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { buildConfig, loadEnv } from '../../../src/server/config';
import { typeDefs } from '../../../src/generated/type-defs';
import { runChild } from '../child-runtime';
import { createPlainProviders } from './plain-providers';
import { batchedFetchers, peerCall, peerResolvers, type PeerContext } from './resolvers';

runChild(async () => {
  const { providers, close } = await createPlainProviders(buildConfig(loadEnv()));
  const server = new ApolloServer<PeerContext>({ typeDefs, resolvers: peerResolvers });
  const { url } = await startStandaloneServer(server, {
    listen: { port: 0, host: '127.0.0.1' },
    context: async () => {
      const call = peerCall();
      return { providers, call, fetch: batchedFetchers(providers, call) };
    },
  });
  return {
    url: `${url.replace(/\/$/, '').replace('localhost', '127.0.0.1')}/api/graphql`,
    close: async () => {
      await server.stop();
      await close();
    },
  };
});
