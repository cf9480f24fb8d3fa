// Public API of the simulated providers (the demo world): used by the demo, tests and bench only.
export { startUpstreams, type StartUpstreamsOptions, type Upstreams } from './start';
export { DEV_CREDENTIALS, SIMULATORS, SIMULATOR_NAMES, type SimulatorName } from './registry';
export { defineSimulator, type SimulatorDefinition, type SimulatorWorld } from './define-simulator';
export { ProviderServer, type ProviderReply, type ProviderRequest, type ProviderServerOptions } from './server';
export type { Fault, FaultOptions, FaultSwitch, RequestMatch } from './faults';
export { DEV_CALLER_SCOPES, ORDER_SCOPES } from './credentials';
export {
  fixtures,
  FIXTURE_COUNTS,
  type AccountFixture,
  type Fixtures,
  type OrderFixture,
  type OrderLineFixture,
  type OrderStatus,
  type ProductFixture,
  type ReviewFixture,
} from './fixtures';
export { createTokenRegistry, type TokenRegistry, type TokenRegistryOptions } from './token-registry';
export { AuthProvider, startAuthProvider, TOKEN_PATH, type AuthProviderOptions } from './auth';
export {
  IdentityProvider,
  startIdentityProvider,
  DEV_TOKEN_PATH,
  IDENTITY_ALGORITHMS,
  JWKS_PATH,
  type IdentityAlgorithm,
  type IdentityMintOptions,
  type IdentityProviderOptions,
  type PublicJwk,
  type RotateOptions,
} from './identity';
export { OrdersProvider, startOrdersProvider, ORDERS_LIMITS, type OrdersProviderOptions } from './orders';
export { CatalogProvider, startCatalogProvider, CATALOG_LIMITS, type CatalogProviderOptions } from './catalog';
export { AccountsProvider, startAccountsProvider, ACCOUNTS_SDL, type AccountsProviderOptions } from './accounts';
export { ReviewsProvider, startReviewsProvider, REVIEWS_SDL, type ReviewsProviderOptions } from './reviews';
export { GRAPHQL_PATH } from './graphql-server';
