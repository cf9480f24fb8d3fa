// The simulators' list: one simulated server per registered provider, found by the provider's name
// (src/dev/upstreams/<name>.ts exports `simulator`), so that src/providers/registry.ts is the only list
// a new provider is added to; then the two that are no provider of the gateway: the OAuth token
// endpoint of the orders client (auth) and the callers' identity provider (identity).
// Loaded at import (top-level await), so the list and what derives from it are plain values.
import { PROVIDERS, type ProviderName } from '../../providers/registry';
import { simulator as auth } from './auth';
import { simulator as identity } from './identity';
import type { ProviderServer } from './server';
import type { ServerOf, SimulatorDefinition } from './define-simulator';

/**
 * The simulators' definitions by name, for their types only: auth and identity here, and every
 * provider's simulator file adds its own entry (`declare module './registry'`), so that
 * `upstreams.orders` is an OrdersProvider. A provider's simulator without one is a ProviderServer.
 */
export interface RegisteredSimulators {
  readonly auth: typeof auth;
  readonly identity: typeof identity;
}

export type SimulatorName = ProviderName | 'auth' | 'identity';

/** The server a simulator of that name runs. */
export type SimulatorServer<K extends SimulatorName> = K extends keyof RegisteredSimulators ? ServerOf<RegisteredSimulators[K]> : ProviderServer;

type UnionToIntersection<U> = (U extends unknown ? (u: U) => void : never) extends (i: infer I) => void ? I : never;

/** Every simulator's dev credentials, merged (`DEV_CREDENTIALS.catalogApiKey`). */
export type AllDevCredentials = UnionToIntersection<RegisteredSimulators[keyof RegisteredSimulators]['credentials']>;

function isSimulator<Name extends string>(value: unknown, name: Name): value is SimulatorDefinition<Name> {
  return typeof value === 'object' && value !== null && 'name' in value && value.name === name && 'create' in value && 'env' in value;
}

async function providerSimulator(name: ProviderName): Promise<SimulatorDefinition<ProviderName>> {
  const file = `src/dev/upstreams/${name}.ts`;
  let module: unknown;
  try {
    module = await import(/* @vite-ignore */ `./${name}.ts`);
  } catch (error) {
    throw new Error(`provider ${name} has no simulator: add ${file} exporting \`simulator = defineSimulator({ name: '${name}', … })\``, { cause: error });
  }
  const simulator = typeof module === 'object' && module !== null && 'simulator' in module ? module.simulator : undefined;
  if (!isSimulator(simulator, name)) throw new Error(`${file} must export \`simulator = defineSimulator({ name: '${name}', … })\``);
  return simulator;
}

export const SIMULATORS: readonly SimulatorDefinition<SimulatorName>[] = [...(await Promise.all(PROVIDERS.map(({ name }) => providerSimulator(name)))), auth, identity];

export const SIMULATOR_NAMES: readonly SimulatorName[] = SIMULATORS.map((simulator) => simulator.name);

function mergeCredentials(simulators: readonly SimulatorDefinition[]): Readonly<Record<string, string>> {
  const merged: Record<string, string> = {};
  for (const simulator of simulators) {
    for (const [name, value] of Object.entries(simulator.credentials)) {
      if (name in merged) throw new Error(`credential ${name} is declared by two simulators (one is ${simulator.name}): names are unique across simulators`);
      merged[name] = value;
    }
  }
  return Object.freeze(merged);
}

/** Every simulator's dev credentials (names unique across simulators); a production start refuses them (they start with `dev-`). */
export const DEV_CREDENTIALS = mergeCredentials(SIMULATORS) as AllDevCredentials;
