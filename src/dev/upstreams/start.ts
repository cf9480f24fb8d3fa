// Starts the whole demo world (every simulator of the simulators' list) and returns one disposable handle.
import { SIMULATORS, type SimulatorName, type SimulatorServer } from './registry';
import type { ProviderServer } from './server';
import type { DevCredentials } from './define-simulator';
import { createTokenRegistry } from './token-registry';

export interface StartUpstreamsOptions {
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** Fixed ports per simulator. @default 0 for each (free ports) */
  readonly ports?: Partial<Record<SimulatorName, number>>;
  /** Added to every answer of every provider (settable later per handle). @default 0 */
  readonly latencyMs?: number;
  /** `expires_in` of OAuth tokens. @default 3600 */
  readonly tokenTtlSeconds?: number;
  /** Clock for token expiry and order timestamps. @default Date.now */
  readonly now?: () => number;
  /** The GraphQL providers (accounts, reviews) send a kept answer again for the same request (graphql-server.ts says why). @default false */
  readonly memoizeAnswers?: boolean;
  /**
   * Replaces the `dev-` prefix of every credential the simulators demand: a production start (no
   * DEMO=1) refuses demo secrets, so a test of it gives `e2e-`. @default 'dev-' (the dev credentials)
   */
  readonly credentialPrefix?: string;
}

/** Each simulator's server by name (`upstreams.catalog`), and what the world as a whole offers. */
export type Upstreams = { readonly [K in SimulatorName]: SimulatorServer<K> } & AsyncDisposable & {
  /** Every simulator's server, in the simulators' order. */
  readonly servers: readonly ProviderServer[];
  /** Base URLs (`http://host:port`). GraphQL endpoints are at `/graphql`, the token endpoint at `/oauth/token`. */
  readonly urls: Readonly<Record<SimulatorName, string>>;
  /** The gateway variables that point at these servers, with the credentials they demand (each simulator's `env`). */
  readonly env: Readonly<Record<string, string>>;
  close(): Promise<void>;
};

function withPrefix(credentials: DevCredentials, prefix: string | undefined): DevCredentials {
  if (prefix === undefined) return credentials;
  return Object.fromEntries(Object.entries(credentials).map(([name, value]) => [name, value.replace(/^dev-/, prefix)]));
}

export async function startUpstreams(options: StartUpstreamsOptions = {}): Promise<Upstreams> {
  const now = options.now ?? Date.now;
  const ports: Readonly<Record<string, number | undefined>> = options.ports ?? {};
  const shared = { tokens: createTokenRegistry({ now }), now, tokenTtlSeconds: options.tokenTtlSeconds ?? 3600, memoizeAnswers: options.memoizeAnswers === true };
  const running = SIMULATORS.map((simulator) => {
    const credentials = withPrefix(simulator.credentials, options.credentialPrefix);
    const server = simulator.create(
      { ...shared, server: { ...(options.host === undefined ? {} : { host: options.host }), port: ports[simulator.name] ?? 0, latencyMs: options.latencyMs ?? 0 } },
      credentials,
    );
    return { simulator, credentials, server };
  });
  const servers = running.map(({ server }) => server);
  const close = async () => {
    await Promise.all(servers.map((server) => server.close()));
  };
  const started = await Promise.allSettled(servers.map((server) => server.listen()));
  const failed = started.find((outcome) => outcome.status === 'rejected');
  if (failed) {
    await close();
    throw failed.reason;
  }
  // Object.fromEntries forgets the keys: they are the simulators' names, each with the server its definition creates.
  const byName = Object.fromEntries(running.map(({ simulator, server }) => [simulator.name, server])) as { readonly [K in SimulatorName]: SimulatorServer<K> };
  const urls = Object.fromEntries(running.map(({ simulator, server }) => [simulator.name, server.url])) as Record<SimulatorName, string>;
  const env = Object.fromEntries(running.flatMap(({ simulator, server, credentials }) => Object.entries(simulator.env(server, credentials))));
  return {
    ...byName,
    servers,
    urls: Object.freeze(urls),
    env: Object.freeze(env),
    close,
    [Symbol.asyncDispose]: close,
  };
}
