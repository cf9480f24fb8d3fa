// createYogaServer: the GraphQL pipeline as ONE ordered list of plugins, one phase comment per group.
// Order matters: a request is identified first, refused as early (and as cheaply) as possible,
// and every error it meets is mapped to the contract last.
import { createYoga, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import type { GatewayConfig } from '../config';
import { toGraphQLError } from '../errors/to-graphql-error';
import { createLoaders } from '../loaders';
import { useErrorContract } from '../plugins/error-contract';
import { requestIdOf, useRequestId } from '../plugins/request-id';
import type { Providers } from '../providers';
import type { CallerVerifier } from './caller';
import type { GraphQLContext } from './context';
import { getSchema } from './schema';

export interface YogaDependencies {
  readonly config: GatewayConfig;
  readonly providers: Providers;
  readonly verifyCaller: CallerVerifier;
  /** Injected clock for deadlines. @default Date.now */
  readonly now?: () => number;
}

export type GatewayYoga = YogaServerInstance<Record<string, unknown>, GraphQLContext>;

export const GRAPHQL_ENDPOINT = '/api/graphql';

export function createYogaServer(deps: YogaDependencies): GatewayYoga {
  const { config, providers, verifyCaller } = deps;
  const now = deps.now ?? Date.now;
  const batchSizes = {
    orders: config.providers.orders.maxBatchSize,
    catalog: config.providers.catalog.maxBatchSize,
    accounts: config.providers.accounts.maxBatchSize,
    reviews: config.providers.reviews.maxBatchSize,
  };

  const plugins: (Plugin | false)[] = [
    // 1. Identify: the request id comes first so that every later error and log line carries it.
    useRequestId(),
    // 2. Map every error to the contract (runs on the result, whatever phase produced it).
    useErrorContract({ isDev: config.isDev }),
  ];

  return createYoga<Record<string, unknown>, GraphQLContext>({
    schema: getSchema(),
    graphqlEndpoint: GRAPHQL_ENDPOINT,
    graphiql: config.isDev ? { title: 'BFF gateway', defaultQuery: '{ me { name } }' } : false,
    landingPage: false,
    // Errors are logged once, with their request id, by the observability layer; yoga's own logger stays quiet.
    logging: false,
    maskedErrors: { maskError: (error) => toGraphQLError(error, { isDev: config.isDev }) },
    plugins: plugins.filter((p): p is Plugin => p !== false),
    context: async ({ request }): Promise<GraphQLContext> => {
      const requestId = requestIdOf(request);
      const caller = await verifyCaller(request.headers.get('authorization'));
      const call = { requestId, deadlineAt: now() + config.requestDeadlineMs, signal: request.signal };
      return { requestId, caller, call, providers, loaders: createLoaders(providers, batchSizes, call) };
    },
  });
}
