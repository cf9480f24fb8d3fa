// A test world: the simulated providers on loopback plus one gateway wired to them, driven
// in-process through `yoga.fetch`. Every test file creates its own and disposes it.
import { buildConfig, type GatewayConfig, parseEnv } from '../../src/server/config';
import { demoEnv, type DemoEnvOptions } from '../../src/dev/demo-env';
import { mintDevToken } from '../../src/dev/dev-jwt';
import { SIMULATOR_NAMES, startUpstreams, type SimulatorName, type Upstreams } from '../../src/dev/upstreams';
import { createGateway, type Gateway, type GatewayOptions } from '../../src/server/gateway';

export interface GqlOptions {
  readonly variables?: Record<string, unknown>;
  /** A user id (a dev token is minted for it) or a raw Authorization header value. */
  readonly as?: string;
  readonly headers?: Record<string, string>;
  readonly method?: 'GET' | 'POST';
  readonly extensions?: Record<string, unknown>;
}

export interface GqlResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly body: {
    data?: Record<string, unknown> | null;
    errors?: { message: string; path?: (string | number)[]; extensions: Record<string, unknown> }[];
  };
}

export interface World extends AsyncDisposable {
  readonly upstreams: Upstreams;
  readonly gateway: Gateway;
  readonly config: GatewayConfig;
  gql(query: string, options?: GqlOptions): Promise<GqlResponse>;
  /** Request counts per simulator since the last `resetCounts()` (compare with `{ ...NO_CALLS, catalog: 1 }`). */
  counts(): Record<SimulatorName, number>;
  resetCounts(): void;
  close(): Promise<void>;
}

export interface WorldOptions extends GatewayOptions {
  /** Extra environment for the gateway config (e.g. `{ PERSISTED_OPERATIONS: 'enforce' }`). */
  readonly env?: Record<string, string>;
  /** `identity`: the gateway verifies callers against the simulated identity provider's JWKS, and `as` tokens come from it. @default 'dev-secret' */
  readonly callers?: DemoEnvOptions['callers'];
}

/** No request at any simulator: what `world.counts()` is when a request must reach no provider. */
export const NO_CALLS: Readonly<Record<SimulatorName, number>> = Object.freeze(countsOf(() => 0));

// One entry per simulator of the simulators' list (every registered provider, auth, identity).
function countsOf(count: (name: SimulatorName) => number): Record<SimulatorName, number> {
  // Object.fromEntries forgets the keys; they are SIMULATOR_NAMES.
  return Object.fromEntries(SIMULATOR_NAMES.map((name) => [name, count(name)])) as Record<SimulatorName, number>;
}

export async function startWorld(options: WorldOptions = {}): Promise<World> {
  const upstreams = await startUpstreams();
  // Quiet logs unless a test asks for them (the observability tests capture their own stream).
  const config = buildConfig(parseEnv({ ...demoEnv(upstreams, { callers: options.callers }), NODE_ENV: 'test', LOG_LEVEL: 'silent', ...options.env }));
  const gateway = createGateway(config, options);
  const tokens = new Map<string, string>();

  async function authorization(as: string): Promise<string> {
    if (as.includes(' ')) return as;
    let token = tokens.get(as);
    if (!token) {
      token = options.callers === 'identity' ? upstreams.identity.mint(as) : await mintDevToken(as);
      tokens.set(as, token);
    }
    return `Bearer ${token}`;
  }

  async function gql(query: string, opts: GqlOptions = {}): Promise<GqlResponse> {
    const headers: Record<string, string> = { accept: 'application/graphql-response+json', ...opts.headers };
    if (opts.as) headers['authorization'] = await authorization(opts.as);
    let response: Response;
    if (opts.method === 'GET') {
      const params = new URLSearchParams({ query });
      if (opts.variables) params.set('variables', JSON.stringify(opts.variables));
      if (opts.extensions) params.set('extensions', JSON.stringify(opts.extensions));
      response = await gateway.yoga.fetch(`http://gateway/api/graphql?${params}`, { headers });
    } else {
      headers['content-type'] = 'application/json';
      const body = JSON.stringify({ query, variables: opts.variables, extensions: opts.extensions });
      response = await gateway.yoga.fetch('http://gateway/api/graphql', { method: 'POST', headers, body });
    }
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : {} };
  }

  const close = async () => {
    await gateway.close();
    await upstreams.close();
  };
  return {
    upstreams,
    gateway,
    config,
    gql,
    counts: () => countsOf((name) => upstreams[name].count()),
    resetCounts: () => upstreams.servers.forEach((server) => server.resetRecords()),
    close,
    [Symbol.asyncDispose]: close,
  };
}
