// THE scopes this gateway understands: the one list that schema directives, resolvers and the README
// name. A directive naming any other scope fails the schema load and ops:check.

export const SCOPES = {
  'orders:read': "Read the caller's own orders.",
  'orders:write': 'Place orders for the caller.',
  'users:pii': "Read any user's personal data (email); without it a caller sees only their own.",
} as const satisfies Record<string, string>;

export type Scope = keyof typeof SCOPES;

export function isScope(value: string): value is Scope {
  return Object.hasOwn(SCOPES, value);
}

/** What a check of scopes looks at: the verified caller's scopes (null for an anonymous caller). */
export interface ScopedCaller {
  readonly id: string;
  readonly scopes: readonly string[];
}

export function holdsScope(caller: ScopedCaller | null, scope: Scope): boolean {
  return caller !== null && caller.scopes.includes(scope);
}
