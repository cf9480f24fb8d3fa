// What a provider module declares (src/providers/<name>/index.ts): its environment variables, its
// settings, its client and its per-request loaders. The registry (registry.ts) lists the modules, and
// everything that once named the providers one by one is derived from that list.
import type { ProviderSettings } from '../config';
import type { ProviderEnvOf, ProviderVariables } from '../config/provider-variables';
import type { CallContext, ProviderHttpClient } from '../http/types';
import type { ProviderEventTypes } from './provider-events';
import type { ProviderContract } from './contract';

export interface LoaderOptions {
  /** The provider's largest batch (`config.providers.<name>.maxBatchSize`); give it to every DataLoader. */
  readonly maxBatchSize: number;
  /** The request's deadline, cancellation and propagated headers, for every call the loaders make. */
  readonly call: CallContext;
}

// Methods, not function properties: a definition is then assignable to the erased
// `ProviderDefinition` that the registry's loops (clients, loaders, settings) walk over.
export interface ProviderDefinition<Name extends string = string, Variables extends ProviderVariables = ProviderVariables, Client = unknown, Loaders = unknown> {
  /** Its name everywhere: `config.providers.<name>`, `loaders.<name>`, metrics, logs and error messages. */
  readonly name: Name;
  /** Its environment variables (providerVariable.url(), .secret(), .text()), validated at boot with the gateway's. */
  readonly env: Variables;
  /** Its settings from its validated variables: base URL, auth, largest batch, published rate. */
  config(env: ProviderEnvOf<Variables>): ProviderSettings;
  /** Its client over the provider's resilient HTTP client; built once per process. */
  client(http: ProviderHttpClient): Client;
  /** Its DataLoaders, reached as `ctx.loaders.<name>`; a fresh set per GraphQL request. */
  loaders(client: Client, options: LoaderOptions): Loaders;
  /** The events its signed webhooks announce (events.ts) and what each invalidates; its secrets come from `config`'s `webhookSecrets`. @default none (no webhook) */
  readonly events?: ProviderEventTypes;
  /** Its contract probes (`./probes.ts`, defineContract), run by `npm run providers:check` before a deploy. */
  readonly contract: ProviderContract;
}

/** Declares a provider; add the result to PROVIDERS in registry.ts. */
export function defineProvider<const Name extends string, const Variables extends ProviderVariables, Client, Loaders>(
  definition: ProviderDefinition<Name, Variables, Client, Loaders>,
): ProviderDefinition<Name, Variables, Client, Loaders> {
  return definition;
}
