// createLoaders: a fresh set of DataLoaders per GraphQL request (never shared between callers),
// namespaced per provider (`loaders.catalog.product`): each provider module declares its own, one
// batch per provider per level of the query, chunked at the provider's max batch size.
import type { CallContext } from '../http/types';
import { perProvider, type PerProvider, type Providers, type RegisteredProvider } from '../providers';

export type BatchSizes = PerProvider<number>;

export type Loaders = { readonly [P in RegisteredProvider as P['name']]: ReturnType<P['loaders']> };

export function createLoaders(providers: Providers, batchSizes: BatchSizes, call: CallContext): Loaders {
  const clients: Readonly<Record<string, unknown>> = providers;
  // Each provider's loaders get its own client (`providers[name]`); the mapped type cannot follow that through a loop.
  return perProvider((name, definition) => definition.loaders(clients[name], { maxBatchSize: batchSizes[name], call })) as Loaders;
}
