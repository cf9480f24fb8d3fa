// Simulated accounts provider (GraphQL): `user(id)` and `users(ids)` behind a bearer token.
import { buildSchema } from 'graphql';
import { DEV_CREDENTIALS } from './credentials';
import { fixtures } from './fixtures';
import { GraphQLProviderServer, type GraphQLProviderOptions } from './graphql-server';

export const ACCOUNTS_SDL = /* GraphQL */ `
  type Account {
    id: ID!
    displayName: String!
    emailAddress: String!
    createdAt: String!
  }
  type Query {
    user(id: ID!): Account
    users(ids: [ID!]!): [Account]!
  }
`;

export interface AccountsProviderOptions extends GraphQLProviderOptions {
  /** @default DEV_CREDENTIALS.accountsToken */
  readonly token?: string;
}

const schema = buildSchema(ACCOUNTS_SDL);

const rootValue = Object.freeze({
  user: ({ id }: { id: string }) => fixtures.user(id) ?? null,
  /** In the order of `ids`, null for unknown ids. */
  users: ({ ids }: { ids: readonly string[] }) => ids.map((id) => fixtures.user(id) ?? null),
});

export class AccountsProvider extends GraphQLProviderServer {
  constructor(options: AccountsProviderOptions = {}) {
    super('accounts', options, { schema, rootValue, token: options.token ?? DEV_CREDENTIALS.accountsToken });
  }

  protected override malformedBody(): unknown {
    const broken = { id: 7, displayName: null, emailAddress: 42, createdAt: false };
    return { data: { user: broken, users: [broken] } };
  }
}

export async function startAccountsProvider(options: AccountsProviderOptions = {}): Promise<AccountsProvider> {
  return new AccountsProvider(options).listen();
}
