// Simulated accounts provider (GraphQL): `user(id)` and `users(ids)` behind a bearer token.
import { buildSchema } from 'graphql';
import { fixtures } from './fixtures';
import { GraphQLProviderServer, type GraphQLProviderOptions } from './graphql-server';
import { defineSimulator } from './define-simulator';

const DEV_TOKEN = 'dev-accounts-token';

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
  /** @default the dev token, `dev-accounts-token` */
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
    super('accounts', options, { schema, rootValue, token: options.token ?? DEV_TOKEN });
  }

  protected override malformedBody(): unknown {
    const broken = { id: 7, displayName: null, emailAddress: 42, createdAt: false };
    return { data: { user: broken, users: [broken] } };
  }
}

export async function startAccountsProvider(options: AccountsProviderOptions = {}): Promise<AccountsProvider> {
  return new AccountsProvider(options).listen();
}

export const simulator = defineSimulator({
  name: 'accounts',
  credentials: { accountsToken: DEV_TOKEN },
  create: (world, credentials) => new AccountsProvider({ ...world.server, memoizeAnswers: world.memoizeAnswers, token: credentials.accountsToken }),
  env: (server, credentials) => ({ ACCOUNTS_URL: server.url, ACCOUNTS_TOKEN: credentials.accountsToken }),
});

declare module './registry' {
  interface RegisteredSimulators {
    readonly accounts: typeof simulator;
  }
}
