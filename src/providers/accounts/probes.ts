// The accounts provider's contract: the document the gateway sends, validated against the provider's
// schema, and one run of it checked against the runtime's schema.
import { defineContract } from '../contract';
import { USERS_QUERY } from './client';
import { usersDataSchema } from './types';

export const accountsContract = defineContract({
  samples: { userId: 'user-1' },
  documents: { Users: USERS_QUERY },
  probes: [{ kind: 'graphql', operation: 'Users', variables: ({ userId }) => ({ ids: [userId] }), schema: usersDataSchema }],
});
