// The production entry point: `npm start` (without DEMO=1) runs this file, against real providers.
//   npm start                    → `next start` as a child, with the gateway's V8 flags and NEXT_MANUAL_SIG_HANDLE
//   npm start -- --standalone    → the same gateway on plain node:http instead of Next.js
//   npm start -- --custom-server → Next's custom-server mode: /api/graphql straight to Yoga, the rest to Next
// Every variable the configuration needs must be set: it refuses to start otherwise, naming the variable.
// It imports nothing from src/dev: `DEMO=1 npm start` and `npm run dev` run src/dev/launch.ts instead
// (package.json's start script picks the file), which starts the simulated providers and then calls the
// same launchGateway.
import { processEnvironment } from '../config/env';
import { exitOnLaunchError, launchGateway, mountFromArgs } from './launcher';

const env = processEnvironment();
const demo = env['DEMO'];
if (demo === '1' || demo === 'true') {
  exitOnLaunchError(`DEMO=${demo}: the demo starts its simulated providers first; run it with \`DEMO=1 npm start\` (src/dev/launch.ts), not src/server/start.ts.`);
}

launchGateway({ mode: 'production', mount: mountFromArgs(process.argv.slice(2)), env }).catch(exitOnLaunchError);
