// The accounts provider (GraphQL): users by id, in one `users(ids:)` call per batch.
import type { CallContext, ProviderHttpClient } from '../../http/types';
import { callGraphQL } from '../graphql-call';
import { parseWire } from '../parse';
import { toUser, type UserModel } from './map';
import { usersDataSchema } from './types';

const USERS_QUERY = 'query Users($ids: [ID!]!) { users(ids: $ids) { id displayName emailAddress createdAt } }';

export interface AccountsProvider {
  /** Users in the order of `ids`; null where the provider has none. */
  getUsers(ids: readonly string[], ctx: CallContext): Promise<(UserModel | null)[]>;
}

export function createAccountsProvider(http: ProviderHttpClient): AccountsProvider {
  return {
    async getUsers(ids, ctx) {
      const data = await callGraphQL(http, { query: USERS_QUERY, variables: { ids }, route: '/graphql users' }, ctx);
      const { users } = parseWire(usersDataSchema, data, http.provider, '/graphql users');
      const byId = new Map(users.flatMap((u) => (u ? [[u.id, toUser(u)] as const] : [])));
      return ids.map((id) => byId.get(id) ?? null);
    },
  };
}
