// The reviews provider (federation-style subgraph): reviews of many products in one `_entities` call.
import type { AppError } from '../../errors/app-error';
import type { CallContext, ProviderHttpClient } from '../../http/types';
import { callGraphQL } from '../graphql-call';
import { fetchAccepted, idRule } from '../id-rule';
import { parseWire } from '../parse';
import { toReview, type ReviewModel } from './map';
import { entitiesDataSchema } from './types';

/** The one document the gateway sends reviews (its contract validates it against the provider's schema). */
export const ENTITIES_QUERY =
  'query ProductReviews($representations: [_Any!]!) { _entities(representations: $representations) { ... on Product { id reviews { id score body authorId } } } }';

/** Product ids in `_entities` representations (`prod-42`), bounded like the catalog's. */
export const REVIEWED_PRODUCT_ID = idRule({ label: 'product id', maxLength: 64 });

export interface ReviewsProvider {
  /** Reviews per product id, in the order of `productIds`; BAD_USER_INPUT, never sent, where REVIEWED_PRODUCT_ID refuses the id. */
  getReviewsOfProducts(productIds: readonly string[], ctx: CallContext): Promise<(ReviewModel[] | AppError)[]>;
}

export function createReviewsProvider(http: ProviderHttpClient): ReviewsProvider {
  return {
    getReviewsOfProducts: (productIds, ctx) =>
      fetchAccepted(REVIEWED_PRODUCT_ID, productIds, async (accepted) => {
        const representations = accepted.map((id) => ({ __typename: 'Product', id }));
        const route = '/graphql _entities';
        const data = await callGraphQL(http, { query: ENTITIES_QUERY, variables: { representations }, route }, ctx);
        const { _entities: entities } = parseWire(entitiesDataSchema, data, http.provider, route);
        const byId = new Map(entities.flatMap((e) => (e ? [[e.id, e.reviews] as const] : [])));
        return accepted.map((id) => (byId.get(id) ?? []).map((r) => toReview(id, r)));
      }),
  };
}
