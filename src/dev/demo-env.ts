// The environment that points a gateway at the simulated providers with their dev secrets.
import { DEV_JWT } from './dev-jwt';
import type { Upstreams } from './upstreams';

export interface DemoEnvOptions {
  /**
   * How callers' tokens are verified: the HS256 dev secret (what `mintDevToken` signs), or the simulated
   * identity provider's JWKS (what `upstreams.identity.mint` signs, as with a real IdP).
   * @default 'dev-secret'
   */
  readonly callers?: 'dev-secret' | 'identity';
}

export function demoEnv(upstreams: Upstreams, options: DemoEnvOptions = {}): Record<string, string> {
  const callers: Record<string, string> =
    options.callers === 'identity'
      ? { JWT_JWKS_URL: upstreams.identity.jwksUrl, JWT_ISSUER: upstreams.identity.issuer, JWT_AUDIENCE: upstreams.identity.audience }
      : { JWT_SECRET: DEV_JWT.secret, JWT_ISSUER: DEV_JWT.issuer, JWT_AUDIENCE: DEV_JWT.audience };
  return {
    DEMO: '1',
    // The simulated providers serve thousands of calls per second; the demo bucket is set to match.
    UPSTREAM_RATE_PER_SECOND: '5000',
    UPSTREAM_BURST: '500',
    // Each simulator says which variables point at it (its `env`).
    ...upstreams.env,
    ...callers,
  };
}
