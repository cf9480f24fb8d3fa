// Simulated reviews provider (GraphQL, federation-style subgraph): reviews of products through
// batched `_entities(representations:)`, behind a bearer token.
import { buildSchema, GraphQLError } from 'graphql';
import { isRecord } from './body';
import { DEV_CREDENTIALS } from './credentials';
import { fixtures } from './fixtures';
import { GraphQLProviderServer, type GraphQLProviderOptions } from './graphql-server';

export const REVIEWS_SDL = /* GraphQL */ `
  scalar _Any
  union _Entity = Product
  type Product {
    id: ID!
    reviews: [Review!]!
  }
  type Review {
    id: ID!
    score: Int!
    body: String!
    authorId: ID!
  }
  type Query {
    _entities(representations: [_Any!]!): [_Entity]!
  }
`;

export interface ReviewsProviderOptions extends GraphQLProviderOptions {
  /** @default DEV_CREDENTIALS.reviewsToken */
  readonly token?: string;
}

const schema = buildSchema(REVIEWS_SDL);

/** An Error in a list position becomes null there plus an entry in `errors` (graphql-js). */
function toEntity(representation: unknown) {
  if (!isRecord(representation) || representation.__typename !== 'Product' || typeof representation.id !== 'string') {
    return new GraphQLError('Representation must be { __typename: "Product", id: String }');
  }
  const id = representation.id;
  return { __typename: 'Product', id, reviews: fixtures.reviewsOf(id) };
}

const rootValue = Object.freeze({
  _entities: ({ representations }: { representations: readonly unknown[] }) => representations.map(toEntity),
});

export class ReviewsProvider extends GraphQLProviderServer {
  constructor(options: ReviewsProviderOptions = {}) {
    super('reviews', options, { schema, rootValue, token: options.token ?? DEV_CREDENTIALS.reviewsToken });
  }

  protected override malformedBody(): unknown {
    return { data: { _entities: [{ __typename: 'Product', id: 5, reviews: [{ id: 'rev-x', score: 'five', body: null }] }] } };
  }
}

export async function startReviewsProvider(options: ReviewsProviderOptions = {}): Promise<ReviewsProvider> {
  return new ReviewsProvider(options).listen();
}
