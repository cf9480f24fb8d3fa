// The reviews provider's contract: the `_entities` document the gateway sends, validated against the
// subgraph's schema, and one run of it checked against the runtime's schema.
import { defineContract } from '../contract';
import { ENTITIES_QUERY } from './client';
import { entitiesDataSchema } from './types';

export const reviewsContract = defineContract({
  samples: { productId: 'prod-1' },
  documents: { ProductReviews: ENTITIES_QUERY },
  probes: [
    {
      kind: 'graphql',
      operation: 'ProductReviews',
      variables: ({ productId }) => ({ representations: [{ __typename: 'Product', id: productId }] }),
      schema: entitiesDataSchema,
    },
  ],
});
