// The one list of providers. Everything that names them is derived from it: ProviderName, the
// environment schema and `config.providers` (src/server/config.ts), the HTTP clients, breakers and
// readiness (src/server/gateway.ts), the clients (index.ts), the loaders (src/loaders/index.ts), and
// the demo world's simulators (src/dev/upstreams/registry.ts finds src/dev/upstreams/<name>.ts).
import { accounts } from './accounts';
import { catalog } from './catalog';
import { orders } from './orders';
import { reviews } from './reviews';

export const PROVIDERS = [orders, catalog, accounts, reviews] as const;

export type RegisteredProvider = (typeof PROVIDERS)[number];
export type ProviderName = RegisteredProvider['name'];
