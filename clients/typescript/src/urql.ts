// urql: the persisted exchange with the package's ids, enforced (an APQ miss is never answered with the
// document text), for queries (GET) and mutations (POST). Put it before the fetch exchange:
//   exchanges: [cacheExchange, persistedExchange(), fetchExchange]
import type { Exchange } from '@urql/core';
import { persistedExchange as urqlPersistedExchange, type PersistedExchangeOptions } from '@urql/exchange-persisted';
import { documentId } from './documents.js';

export function persistedExchange(options: Pick<PersistedExchangeOptions, 'preferGetForPersistedQueries'> = {}): Exchange {
  return urqlPersistedExchange({
    enforcePersistedQueries: true,
    enableForMutation: true,
    generateHash: async (_query, document) => documentId(document),
    ...options,
  });
}
