// Small checks shared by resolvers: who may call, and the bounds of client-supplied arguments.
import { AppError } from '../errors/app-error';
import type { Caller } from '../auth/caller';
import type { GraphQLContext } from '../server/context';

export function requireCaller(ctx: GraphQLContext): Caller {
  if (!ctx.caller) throw new AppError('UNAUTHENTICATED', 'This field needs a bearer token.');
  return ctx.caller;
}

/** Largest page a client may ask for; also the @listSize slicing bound the cost analysis assumes. */
export const MAX_PAGE_SIZE = 100;

export function checkPageSize(first: number): number {
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) {
    throw new AppError('BAD_USER_INPUT', `"first" must be between 1 and ${MAX_PAGE_SIZE}.`, { extensions: { argument: 'first' } });
  }
  return first;
}

export function notFound(what: string): AppError {
  return new AppError('NOT_FOUND', `${what} not found.`);
}
