// What a simulator declares (`export const simulator = defineSimulator({...})` in
// src/dev/upstreams/<name>.ts): its name, the dev credentials its server demands, how the server is
// made, and the gateway variables that point at it (the demo environment).
import type { ProviderServer, ProviderServerOptions } from './server';
import type { TokenRegistry } from './token-registry';

/** What every simulator of one world is given. */
export interface SimulatorWorld {
  /** Its host, port (0 unless the world was given one) and added latency. */
  readonly server: ProviderServerOptions;
  /** Shared: the auth simulator issues these tokens, the orders simulator checks them. */
  readonly tokens: TokenRegistry;
  /** Clock of token expiry and timestamps. */
  readonly now: () => number;
  /** `expires_in` of OAuth tokens. */
  readonly tokenTtlSeconds: number;
  /** GraphQL simulators send a kept answer again for the same request (graphql-server.ts says why). */
  readonly memoizeAnswers: boolean;
}

/** Credentials by name (`catalogApiKey`); names are unique across simulators. */
export type DevCredentials = Readonly<Record<string, string>>;

// Methods, not function properties: a definition is then assignable to the erased
// `SimulatorDefinition` that the simulators' list holds.
export interface SimulatorDefinition<Name extends string = string, Server extends ProviderServer = ProviderServer, Credentials extends DevCredentials = DevCredentials> {
  /** The provider's name (src/providers/registry.ts), or `auth` / `identity`. */
  readonly name: Name;
  /** The secrets its server demands; each starts with `dev-`, which a production start refuses. */
  readonly credentials: Credentials;
  /** Its server, not listening yet, demanding `credentials` (the dev ones, or the world's replacements). */
  create(world: SimulatorWorld, credentials: Credentials): Server;
  /** The gateway variables that point at the listening server, with the credentials it demands. */
  env(server: Server, credentials: Credentials): Readonly<Record<string, string>>;
}

export function defineSimulator<const Name extends string, Server extends ProviderServer, const Credentials extends DevCredentials>(
  definition: SimulatorDefinition<Name, Server, Credentials>,
): SimulatorDefinition<Name, Server, Credentials> {
  return definition;
}

/** The server type of a definition. */
export type ServerOf<D> = D extends SimulatorDefinition<string, infer Server, DevCredentials> ? Server : ProviderServer;
