// Simulated reviews provider (GraphQL, federation-style subgraph): reviews of products through
// batched `_entities(representations:)`, behind a bearer token.
import { buildSchema, GraphQLError } from 'graphql';
import { isRecord } from './body';
import { fixtures } from './fixtures';
import { GraphQLProviderServer, type GraphQLProviderOptions } from './graphql-server';
import { defineSimulator } from './define-simulator';

const DEV_TOKEN = 'dev-reviews-token';

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
  /** @default the dev token, `dev-reviews-token` */
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
    super('reviews', options, { schema, rootValue, token: options.token ?? DEV_TOKEN });
  }

  protected override malformedBody(): unknown {
    return { data: { _entities: [{ __typename: 'Product', id: 5, reviews: [{ id: 'rev-x', score: 'five', body: null }] }] } };
  }
}

export async function startReviewsProvider(options: ReviewsProviderOptions = {}): Promise<ReviewsProvider> {
  return new ReviewsProvider(options).listen();
}

export const simulator = defineSimulator({
  name: 'reviews',
  credentials: { reviewsToken: DEV_TOKEN },
  create: (world, credentials) => new ReviewsProvider({ ...world.server, memoizeAnswers: world.memoizeAnswers, token: credentials.reviewsToken }),
  env: (server, credentials) => ({ REVIEWS_URL: server.url, REVIEWS_TOKEN: credentials.reviewsToken }),
});

declare module './registry' {
  interface RegisteredSimulators {
    readonly reviews: typeof simulator;
  }
}
