// The four provider clients, built once per process from one HTTP client per provider.
import type { ProviderName } from '../config';
import type { ProviderHttpClient } from '../http/types';
import { createAccountsProvider, type AccountsProvider } from './accounts/client';
import { createCatalogProvider, type CatalogProvider } from './catalog/client';
import { createOrdersProvider, type OrdersProvider } from './orders/client';
import { createReviewsProvider, type ReviewsProvider } from './reviews/client';

export interface Providers {
  readonly orders: OrdersProvider;
  readonly catalog: CatalogProvider;
  readonly accounts: AccountsProvider;
  readonly reviews: ReviewsProvider;
}

export function createProviders(http: { readonly [K in ProviderName]: ProviderHttpClient }): Providers {
  return {
    orders: createOrdersProvider(http.orders),
    catalog: createCatalogProvider(http.catalog),
    accounts: createAccountsProvider(http.accounts),
    reviews: createReviewsProvider(http.reviews),
  };
}
