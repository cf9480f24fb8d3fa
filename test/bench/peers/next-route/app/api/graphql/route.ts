// Peer: plain graphql-yoga + DataLoader + graphql-jit in a Next.js App Router route handler, as Yoga's
// Next.js guide mounts it (handleRequest as GET/POST, Next's own Response), under `next start`. Built
// in a scratch copy of the repository (../../next-route-app.ts says why and where).
import { useGraphQlJit } from '@envelop/graphql-jit';
import { createYoga, type YogaServerInstance } from 'graphql-yoga';
import { buildConfig, loadEnv } from '../../../../../../../src/server/config';
import { createPlainProviders } from '../../../../plain-providers';
import { peerContext, peerSchema, type PeerContext } from '../../../../resolvers';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

interface RouteContext {
  readonly params: Promise<Record<string, string | string[] | undefined>>;
}

// Built on the first request (the providers' OAuth token is fetched then), not at import: `next build` imports the route.
let yoga: Promise<YogaServerInstance<RouteContext, PeerContext>> | undefined;

async function createPeerYoga(): Promise<YogaServerInstance<RouteContext, PeerContext>> {
  const { providers } = await createPlainProviders(buildConfig(loadEnv()));
  return createYoga<RouteContext, PeerContext>({
    schema: peerSchema(),
    graphqlEndpoint: '/api/graphql',
    logging: false,
    landingPage: false,
    graphiql: false,
    fetchAPI: { Response },
    plugins: [useGraphQlJit()],
    context: () => peerContext(providers),
  });
}

async function handle(request: Request, context: RouteContext): Promise<Response> {
  yoga ??= createPeerYoga();
  return (await yoga).handleRequest(request, context);
}

export { handle as GET, handle as POST };
