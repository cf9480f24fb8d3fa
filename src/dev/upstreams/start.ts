// Starts the whole demo world (six simulated providers) and returns one disposable handle.
import { AccountsProvider } from './accounts';
import { AuthProvider } from './auth';
import { CatalogProvider } from './catalog';
import { DEV_CREDENTIALS, type DevCredentials } from './credentials';
import { IdentityProvider } from './identity';
import { OrdersProvider } from './orders';
import { ReviewsProvider } from './reviews';
import type { ProviderServer } from './server';
import { createTokenRegistry } from './token-registry';

export type ProviderName = 'orders' | 'catalog' | 'accounts' | 'reviews' | 'auth' | 'identity';

/** The secrets the providers demand, any values (DevCredentials are the dev literals). */
export type ProviderCredentials = { readonly [K in keyof DevCredentials]: string };

export interface StartUpstreamsOptions {
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** Fixed ports per provider. @default 0 for each (free ports) */
  readonly ports?: Partial<Record<ProviderName, number>>;
  /** Added to every answer of every provider (settable later per handle). @default 0 */
  readonly latencyMs?: number;
  /** `expires_in` of OAuth tokens. @default 3600 */
  readonly tokenTtlSeconds?: number;
  /** Clock for token expiry and order timestamps. @default Date.now */
  readonly now?: () => number;
  /** The GraphQL providers (accounts, reviews) send a kept answer again for the same request (graphql-server.ts says why). @default false */
  readonly memoizeAnswers?: boolean;
  /** Credentials the providers demand; a production start refuses the dev ones (they start with `dev-`). @default DEV_CREDENTIALS */
  readonly credentials?: ProviderCredentials;
}

export interface Upstreams extends AsyncDisposable {
  readonly orders: OrdersProvider;
  readonly catalog: CatalogProvider;
  readonly accounts: AccountsProvider;
  readonly reviews: ReviewsProvider;
  readonly auth: AuthProvider;
  /** Callers' identity provider: JWKS at `/.well-known/jwks.json`, keys made on first use. */
  readonly identity: IdentityProvider;
  /** Base URLs (`http://host:port`). GraphQL endpoints are at `/graphql`, the token endpoint at `/oauth/token`. */
  readonly urls: Readonly<Record<ProviderName, string>>;
  readonly credentials: ProviderCredentials;
  close(): Promise<void>;
}

export async function startUpstreams(options: StartUpstreamsOptions = {}): Promise<Upstreams> {
  const now = options.now ?? Date.now;
  const tokens = createTokenRegistry({ now });
  const credentials: ProviderCredentials = options.credentials ?? DEV_CREDENTIALS;
  const common = (name: ProviderName) => ({
    ...(options.host === undefined ? {} : { host: options.host }),
    port: options.ports?.[name] ?? 0,
    latencyMs: options.latencyMs ?? 0,
  });
  const handles = {
    orders: new OrdersProvider({ ...common('orders'), tokens, now }),
    catalog: new CatalogProvider({ ...common('catalog'), apiKey: credentials.catalogApiKey }),
    accounts: new AccountsProvider({ ...common('accounts'), memoizeAnswers: options.memoizeAnswers === true, token: credentials.accountsToken }),
    reviews: new ReviewsProvider({ ...common('reviews'), memoizeAnswers: options.memoizeAnswers === true, token: credentials.reviewsToken }),
    auth: new AuthProvider({
      ...common('auth'),
      tokens,
      tokenTtlSeconds: options.tokenTtlSeconds ?? 3600,
      clientId: credentials.ordersClientId,
      clientSecret: credentials.ordersClientSecret,
    }),
    identity: new IdentityProvider({ ...common('identity'), now }),
  };
  const all: ProviderServer[] = Object.values(handles);
  const close = async () => {
    await Promise.all(all.map((handle) => handle.close()));
  };
  const started = await Promise.allSettled(all.map((handle) => handle.listen()));
  const failed = started.find((outcome) => outcome.status === 'rejected');
  if (failed) {
    await close();
    throw failed.reason;
  }
  return {
    ...handles,
    urls: Object.freeze({
      orders: handles.orders.url,
      catalog: handles.catalog.url,
      accounts: handles.accounts.url,
      reviews: handles.reviews.url,
      auth: handles.auth.url,
      identity: handles.identity.url,
    }),
    credentials,
    close,
    [Symbol.asyncDispose]: close,
  };
}
