// `npm run providers:check`: the contract check against the providers `npm start` would call (its
// environment); `DEMO=1 npm run providers:check` runs it against simulated ones (src/dev/providers-check-demo.ts).
import { processEnvironment } from '../config/env';
import { providersCheckCommand } from './providers-check-command';

process.exitCode = await providersCheckCommand(process.argv.slice(2), processEnvironment(), { out: console.log, err: console.error });
