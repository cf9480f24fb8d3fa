// The accounts provider (GraphQL, bearer token): users by id, batched.
import { providerVariable } from '../../config/provider-variables';
import { BatchLoader } from '../batch-loader';
import { defineProvider } from '../define-provider';
import { createAccountsProvider } from './client';
import { accountsContract } from './probes';
import type { UserModel } from './map';

export const accounts = defineProvider({
  name: 'accounts',
  env: { ACCOUNTS_URL: providerVariable.url(), ACCOUNTS_TOKEN: providerVariable.secret() },
  config: (env) => ({ baseUrl: env.ACCOUNTS_URL, auth: { kind: 'bearer', token: env.ACCOUNTS_TOKEN }, maxBatchSize: 100 }),
  client: createAccountsProvider,
  contract: accountsContract,
  loaders: (client, { maxBatchSize, call }) => ({
    user: new BatchLoader<UserModel | null>((ids) => client.getUsers(ids, call), { maxBatchSize, name: 'accounts.user' }),
  }),
});
