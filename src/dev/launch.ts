// The demo's entry points (production without the demo is src/server/start.ts).
//   npm run dev              → development: simulated providers + `next dev` (GraphiQL on, any operation)
//   DEMO=1 PORT=… npm start  → the production build and mode against simulated providers it starts
//   … -- --standalone        → the same gateway on plain node:http instead of Next.js
//   … -- --custom-server     → Next's custom-server mode: /api/graphql straight to Yoga, the rest to Next
//   … -- --idp               → demo callers verified against the simulated identity provider's JWKS, not the HS256 dev secret
// It starts the simulated providers, points the gateway at them (demoEnv) and hands over to the same
// launchGateway as the production entry (src/server/launcher.ts).
import { processEnvironment } from '../config/env';
import { exitOnLaunchError, launchGateway, mountFromArgs } from '../server/launcher';
import { demoEnv } from './demo-env';
import { mintDevToken } from './dev-jwt';
import { startUpstreams } from './upstreams';

const mode = process.argv[2] === 'dev' ? 'development' : 'production';
const args = process.argv.slice(2);
const idp = args.includes('--idp');

async function main(): Promise<void> {
  const upstreams = await startUpstreams();
  // The simulated catalog announces its price changes to this gateway's webhook (signed with the dev secret demoEnv gives it).
  const port = Number(processEnvironment()['PORT'] ?? (mode === 'development' ? 3000 : 4000));
  upstreams.catalog.announceTo({
    url: `http://127.0.0.1:${port}/api/webhooks/catalog`,
    onDelivery: (delivery) => console.log(`catalog event ${delivery.type} ${delivery.eventId} → gateway ${delivery.status ?? 'unreachable'} ${delivery.body}`),
  });
  const token = idp ? upstreams.identity.mint('user-1', { expiresIn: 12 * 3600 }) : await mintDevToken('user-1');
  await launchGateway({
    mode,
    mount: mountFromArgs(args),
    env: {
      ...processEnvironment(),
      ...demoEnv(upstreams, { callers: idp ? 'identity' : 'dev-secret' }),
      // GraphiQL's tabs carry the printed dev token (development only: production serves no GraphiQL).
      ...(mode === 'development' ? { GRAPHIQL_TOKEN: token } : {}),
    },
    mountNote: 'demo providers',
    providers: upstreams.urls,
    token,
    // Tokens of the dev secret are refused in this mode: `npm run token` must ask the identity provider.
    notes: [
      ...(idp ? ['', `Callers are verified against the simulated identity provider; another user's token: npm run -s token -- user-2 --idp ${upstreams.identity.url}`] : []),
      '',
      `Price change (signed catalog webhook → cache invalidation): npm run -s demo:price -- prod-1 1999 --catalog ${upstreams.catalog.url} --gateway http://127.0.0.1:${port}`,
    ],
    onExit: () => upstreams.close(),
  });
}

main().catch(exitOnLaunchError);
