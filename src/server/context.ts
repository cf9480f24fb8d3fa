// The per-request GraphQL context: request id, caller, deadline, and a fresh set of loaders.
import type { CallContext } from '../http/types';
import type { Loaders } from '../loaders';
import type { Providers } from '../providers';
import type { Caller } from '../auth/caller';

export interface GraphQLContext {
  readonly requestId: string;
  /** Null for anonymous callers. */
  readonly caller: Caller | null;
  /** Deadline, cancellation and propagated headers for every upstream call of this request. */
  readonly call: CallContext;
  readonly loaders: Loaders;
  /** For mutations, which are not batched. */
  readonly providers: Providers;
}
