// The accounts provider (GraphQL): users by id, in one `users(ids:)` call per batch.
import type { AppError } from '../../errors/app-error';
import type { CallContext, ProviderHttpClient } from '../../http/types';
import { callGraphQL } from '../graphql-call';
import { fetchAccepted, idRule } from '../id-rule';
import { parseWire } from '../parse';
import { toUser, type UserModel } from './map';
import { usersDataSchema } from './types';

/** The one document the gateway sends accounts (its contract validates it against the provider's schema). */
export const USERS_QUERY = 'query Users($ids: [ID!]!) { users(ids: $ids) { id displayName emailAddress createdAt } }';

/** User ids (`user-7`), sent as GraphQL variables: bounded so that one id cannot make a huge upstream body. */
export const USER_ID = idRule({ label: 'user id', maxLength: 64 });

export interface AccountsProvider {
  /** Users in the order of `ids`; null where the provider has none; BAD_USER_INPUT, never sent, where USER_ID refuses the id. */
  getUsers(ids: readonly string[], ctx: CallContext): Promise<(UserModel | null | AppError)[]>;
}

export function createAccountsProvider(http: ProviderHttpClient): AccountsProvider {
  return {
    getUsers: (ids, ctx) =>
      fetchAccepted(USER_ID, ids, async (accepted) => {
        const data = await callGraphQL(http, { query: USERS_QUERY, variables: { ids: accepted }, route: '/graphql users' }, ctx);
        const { users } = parseWire(usersDataSchema, data, http.provider, '/graphql users');
        const byId = new Map(users.flatMap((u) => (u ? [[u.id, toUser(u)] as const] : [])));
        return accepted.map((id) => byId.get(id) ?? null);
      }),
  };
}
