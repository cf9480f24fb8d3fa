// Target child: our gateway (createGateway + startNodeServer) configured from the environment the
// bench passes, i.e. the production pipeline (its outbound buckets off through UPSTREAM_RATE_PER_SECOND=0,
// like every ours-* target, unless BENCH_KEEP_OUTBOUND_LIMITS=1).
import { buildConfig, loadEnv } from '../../../src/server/config';
import { createGateway } from '../../../src/server/gateway';
import { startNextCustomServer } from '../../../src/server/next-custom-server';
import { startNodeServer } from '../../../src/server/node-server';
import { runChild } from '../child-runtime';

// `--next-custom-server`: the same gateway inside Next's custom-server deployment (src/server/next-custom-server.ts).
const nextCustom = process.argv.includes('--next-custom-server');

runChild(async () => {
  const config = buildConfig(loadEnv());
  const gateway = createGateway(config);
  const server = nextCustom ? await startNextCustomServer(gateway.yoga) : await startNodeServer(gateway.yoga);
  return {
    url: `${server.url}/api/graphql`,
    close: async () => {
      await server.close();
      await gateway.close();
    },
  };
});
