// Target child: our gateway (createGateway + startNodeServer) configured from the environment the
// bench passes, i.e. the production pipeline. `--lift-outbound` removes the config's outbound token
// buckets (200 calls/s per provider), which would otherwise cap the throughput being measured.
import { buildConfig } from '../../../src/config';
import { loadEnv } from '../../../src/config/env';
import type { ProviderClientOptions } from '../../../src/http/options';
import { createGateway } from '../../../src/server/gateway';
import { startNextCustomServer } from '../../../src/server/next-custom-server';
import { startNodeServer } from '../../../src/server/node-server';
import { runChild } from '../child-runtime';

const lift = process.argv.includes('--lift-outbound');
// `--next-custom-server`: the same gateway inside Next's custom-server deployment (src/server/next-custom-server.ts).
const nextCustom = process.argv.includes('--next-custom-server');

runChild(async () => {
  const config = buildConfig(loadEnv());
  const unlimited: Partial<ProviderClientOptions> = { rateLimit: undefined };
  const gateway = createGateway(config, lift ? { http: { orders: unlimited, catalog: unlimited, accounts: unlimited, reviews: unlimited } } : {});
  const server = nextCustom ? await startNextCustomServer(gateway.yoga) : await startNodeServer(gateway.yoga);
  return {
    url: `${server.url}/api/graphql`,
    close: async () => {
      await server.close();
      await gateway.close();
    },
  };
});
