// The process-wide gateway for the Next.js route: created on first use (not at import, so that
// `next build` can load the route module without provider configuration), then reused.
import { buildConfig } from '../config';
import { loadEnv } from '../config/env';
import { createGateway, type Gateway } from './gateway';

let gateway: Gateway | undefined;

export function getGateway(): Gateway {
  gateway ??= createGateway(buildConfig(loadEnv()));
  return gateway;
}
