// `DEMO=1 npm run providers:check`: starts the simulated providers, points the check at them (as
// `DEMO=1 npm start` points the gateway) and stops them; what CI runs (`npm run checks`).
import { processEnvironment } from '../config/env';
import { providersCheckCommand } from '../tooling/providers-check-command';
import { demoEnv } from './demo-env';
import { startUpstreams } from './upstreams';

const upstreams = await startUpstreams();
try {
  process.exitCode = await providersCheckCommand(process.argv.slice(2), { ...processEnvironment(), ...demoEnv(upstreams) }, { out: console.log, err: console.error });
} finally {
  await upstreams.close();
}
