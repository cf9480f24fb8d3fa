// The reviews provider (federation-style subgraph): reviews of many products in one `_entities` call.
import type { CallContext, ProviderHttpClient } from '../../http/types';
import { callGraphQL } from '../graphql-call';
import { parseWire } from '../parse';
import { toReview, type ReviewModel } from './map';
import { entitiesDataSchema } from './types';

const ENTITIES_QUERY =
  'query ProductReviews($representations: [_Any!]!) { _entities(representations: $representations) { ... on Product { id reviews { id score body authorId } } } }';

export interface ReviewsProvider {
  /** Reviews per product id, in the order of `productIds`. */
  getReviewsOfProducts(productIds: readonly string[], ctx: CallContext): Promise<ReviewModel[][]>;
}

export function createReviewsProvider(http: ProviderHttpClient): ReviewsProvider {
  return {
    async getReviewsOfProducts(productIds, ctx) {
      const representations = productIds.map((id) => ({ __typename: 'Product', id }));
      const route = '/graphql _entities';
      const data = await callGraphQL(http, { query: ENTITIES_QUERY, variables: { representations }, route }, ctx);
      const { _entities: entities } = parseWire(entitiesDataSchema, data, http.provider, route);
      const byId = new Map(entities.flatMap((e) => (e ? [[e.id, e.reviews] as const] : [])));
      return productIds.map((id) => (byId.get(id) ?? []).map((r) => toReview(id, r)));
    },
  };
}
