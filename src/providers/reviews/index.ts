// The reviews provider (GraphQL subgraph, bearer token): the reviews of products, batched through `_entities`.
import { providerVariable } from '../../config/provider-variables';
import { BatchLoader } from '../batch-loader';
import { defineProvider } from '../define-provider';
import { createReviewsProvider } from './client';
import { reviewsContract } from './probes';
import type { ReviewModel } from './map';

export const reviews = defineProvider({
  name: 'reviews',
  env: { REVIEWS_URL: providerVariable.url(), REVIEWS_TOKEN: providerVariable.secret() },
  config: (env) => ({ baseUrl: env.REVIEWS_URL, auth: { kind: 'bearer', token: env.REVIEWS_TOKEN }, maxBatchSize: 100 }),
  client: createReviewsProvider,
  contract: reviewsContract,
  loaders: (client, { maxBatchSize, call }) => ({
    ofProduct: new BatchLoader<ReviewModel[]>((ids) => client.getReviewsOfProducts(ids, call), { maxBatchSize, name: 'reviews.ofProduct' }),
  }),
});
