// Enforces the schema's authorization directives at the entry of each guarded field's resolver. The
// decision depends only on the caller and the field, so it is the same as one taken before execution:
// a denied field never runs its resolver (no provider call, nothing below it), and graphql-js (or
// graphql-jit) nulls it, propagating through non-null parents, with the error at its exact path.
// The document is never rewritten, so a persisted operation keeps its compiled plan.
import { defaultFieldResolver, isObjectType, type GraphQLFieldResolver, type GraphQLSchema } from 'graphql';
import { AppError } from '../errors/app-error';
import { deniedBy, formatRequirement, type AuthRequirement, type AuthRules } from './requirements';
import type { ScopedCaller } from './scopes';

/** What the resolvers' context must carry for the rules to be checked. */
export interface AuthContext {
  /** Null for anonymous callers. */
  readonly caller: ScopedCaller | null;
}

/** The error a denied field resolves to; undefined when the caller may read it. */
function authorizationError(requirement: AuthRequirement, caller: ScopedCaller | null): AppError | undefined {
  const denied = deniedBy(requirement, caller);
  if (denied === 'UNAUTHENTICATED') return new AppError('UNAUTHENTICATED', 'This field needs a bearer token.');
  if (denied === 'FORBIDDEN') {
    return new AppError('FORBIDDEN', `The token lacks the scopes this field needs (${formatRequirement(requirement)}).`, {
      extensions: { requiredScopes: requirement.anyOf },
    });
  }
  return undefined;
}

// By coordinate, not by field object: a schema copied later (mapSchema) has new field objects, and
// the lookahead must still not load past a guarded field of it.
const guarded = new Set<string>();

/** True for `Type.field` whose resolver checks an authorization rule in some schema of this process (the lookahead does not load past it). */
export function isGuardedField(coordinate: string): boolean {
  return guarded.has(coordinate);
}

/** Wraps, in place, the resolver of every guarded object field of `schema` (built once per process). */
export function enforceAuthRules(schema: GraphQLSchema, rules: AuthRules): void {
  for (const [coordinate, requirement] of rules.fields) {
    const [typeName = '', fieldName = ''] = coordinate.split('.');
    const type = schema.getType(typeName);
    // Interface fields are resolved by their object types, which carry the interface's rule too.
    const field = isObjectType(type) ? type.getFields()[fieldName] : undefined;
    if (field === undefined) continue;
    const resolve: GraphQLFieldResolver<unknown, AuthContext> = field.resolve ?? defaultFieldResolver;
    guarded.add(coordinate);
    field.resolve = (source, args, context: AuthContext, info) => {
      const error = authorizationError(requirement, context.caller);
      if (error !== undefined) throw error;
      return resolve(source, args, context, info);
    };
  }
}
