// Peer child: Yoga's own request path around the floor's page. Plain graphql-yoga (its parse and
// validation caches, no plugin of ours), whose execution is replaced by the hand-built order page
// (order-page-by-hand.ts, the floor's). Not a server anyone would run: the least a server built on
// Yoga spends on this page (its Request/Response objects, envelop's phases, its result
// serialisation; no field resolution), so that yoga-floor ÷ yoga-jit bounds how far any Yoga-based
// gateway can be ahead of Yoga + graphql-jit.
import { createServer } from 'node:http';
import { createYoga, type Plugin } from 'graphql-yoga';
import type { ExecutionResult } from 'graphql';
import { buildConfig, loadEnv } from '../../../src/server/config';
import { runChild } from '../child-runtime';
import { listenOnLoopback } from './listen';
import { orderPageByHand } from './order-page-by-hand';
import { createPlainProviders } from './plain-providers';
import { peerSchema } from './resolvers';

runChild(async () => {
  const { providers, close } = await createPlainProviders(buildConfig(loadEnv()), 'dispatch');
  // Whatever was asked (the order page; `{ ping }` is the readiness probe), the answer is the page.
  const pageInsteadOfExecution: Plugin = {
    onExecute({ setExecuteFn }) {
      setExecuteFn(async () => (await orderPageByHand(providers)) as ExecutionResult);
    },
  };
  const yoga = createYoga({
    schema: peerSchema(),
    graphqlEndpoint: '/api/graphql',
    logging: false,
    landingPage: false,
    graphiql: false,
    // Yoga's defaults that cost per request and that a floor can do without: the body limit pipes
    // every POST through a counting stream (ours checks Content-Length instead), CORS headers, multipart.
    maxRequestBodySize: false,
    cors: false,
    multipart: false,
    plugins: [pageInsteadOfExecution],
  });
  return listenOnLoopback(createServer(yoga), close);
});
