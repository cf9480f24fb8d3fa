// The provider clients, built once per process from one HTTP client per provider, and the helper
// that derives any per-provider record from the registry.
import type { ProviderHttpClient } from '../http/types';
import type { ProviderDefinition } from './define-provider';
import { PROVIDERS, type ProviderName, type RegisteredProvider } from './registry';

export { PROVIDERS, type ProviderName, type RegisteredProvider } from './registry';

/** One value per registered provider, by name. */
export type PerProvider<T> = { readonly [K in ProviderName]: T };

/** Every provider's client, by name (`providers.catalog.getProducts`). */
export type Providers = { readonly [P in RegisteredProvider as P['name']]: ReturnType<P['client']> };

/** The registered providers, each seen through the erased definition (its name typed as a ProviderName). */
export const DEFINITIONS: readonly (ProviderDefinition & { readonly name: ProviderName })[] = PROVIDERS;

/** The registered providers' names, in registry order. */
export const PROVIDER_NAMES: readonly ProviderName[] = DEFINITIONS.map((definition) => definition.name);

/** A record with one entry per registered provider, in registry order. */
export function perProvider<T>(make: (name: ProviderName, definition: ProviderDefinition) => T): PerProvider<T> {
  // Object.fromEntries forgets the keys; they are exactly the registry's names.
  return Object.fromEntries(DEFINITIONS.map((definition) => [definition.name, make(definition.name, definition)])) as PerProvider<T>;
}

export function createProviders(http: PerProvider<ProviderHttpClient>): Providers {
  // Each client is its own definition's `client(http)`; the mapped type cannot follow that through a loop.
  return perProvider((name, definition) => definition.client(http[name])) as Providers;
}
