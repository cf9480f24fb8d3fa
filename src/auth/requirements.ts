// The schema's @authenticated and @requiresScopes (Apollo federation's semantics) read into one
// requirement per guarded field. A directive on an object type guards every field that returns it.
import {
  getDirectiveValues,
  getNamedType,
  isAbstractType,
  isInterfaceType,
  isObjectType,
  type ConstDirectiveNode,
  type GraphQLDirective,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
} from 'graphql';
import { isScope, SCOPES, type ScopedCaller } from './scopes';

/** The directive names, as base.graphql declares them. */
export const AUTH_DIRECTIVES = Object.freeze({ authenticated: 'authenticated', requiresScopes: 'requiresScopes' });

/** OR of ANDs: the caller must hold every scope of at least one list; `[[]]` admits any caller. */
export interface AuthRequirement {
  readonly anyOf: readonly (readonly string[])[];
}

const ANY_CALLER: AuthRequirement = Object.freeze({ anyOf: Object.freeze([Object.freeze([])]) });

export interface AuthSchemaProblem {
  /** `UNKNOWN_SCOPE` (not in scopes.ts) or `EMPTY_SCOPE_LIST`. */
  readonly code: 'UNKNOWN_SCOPE' | 'EMPTY_SCOPE_LIST';
  /** `Type.field` or `Type` carrying the directive. */
  readonly coordinate: string;
  readonly message: string;
  /** The directive as written, for a location. */
  readonly node: ConstDirectiveNode | undefined;
}

export interface AuthRules {
  /** The requirement of each guarded `Type.field` (object and interface types); other fields are open. */
  readonly fields: ReadonlyMap<string, AuthRequirement>;
  readonly problems: readonly AuthSchemaProblem[];
}

/** Drops repeated lists and any list that holds another one (it can never be the easier way in). */
function minimal(lists: readonly (readonly string[])[]): string[][] {
  const sorted = lists.map((l) => [...new Set(l)].sort()).sort((a, b) => a.length - b.length || a.join(' ').localeCompare(b.join(' ')));
  const kept: string[][] = [];
  for (const list of sorted) if (!kept.some((k) => k.every((s) => list.includes(s)))) kept.push(list);
  return kept;
}

/** Both requirements at once: every pairing of their alternatives. */
export function allOf(a: AuthRequirement | undefined, b: AuthRequirement | undefined): AuthRequirement | undefined {
  if (a === undefined || b === undefined) return a ?? b;
  return { anyOf: minimal(a.anyOf.flatMap((x) => b.anyOf.map((y) => [...x, ...y]))) };
}

/** Why `caller` may not read a field with this requirement; undefined when it may. */
export function deniedBy(requirement: AuthRequirement, caller: ScopedCaller | null): 'UNAUTHENTICATED' | 'FORBIDDEN' | undefined {
  if (caller === null) return 'UNAUTHENTICATED';
  return requirement.anyOf.some((list) => list.every((scope) => caller.scopes.includes(scope))) ? undefined : 'FORBIDDEN';
}

/** `orders:read+users:pii | admin`; `authenticated` when any caller will do; `-` for none. */
export function formatRequirement(requirement: AuthRequirement | undefined): string {
  if (requirement === undefined) return '-';
  if (requirement.anyOf.some((list) => list.length === 0)) return 'authenticated';
  return requirement.anyOf.map((list) => list.join('+')).join(' | ');
}

/** A schema element's definition or extension node, as far as directives go. */
type DirectiveHolder = { readonly directives?: readonly ConstDirectiveNode[] | undefined } | null | undefined;

function directiveNodes(nodes: readonly DirectiveHolder[], name: string): ConstDirectiveNode[] {
  return nodes.flatMap((node) => node?.directives?.filter((d) => d.name.value === name) ?? []);
}

/** The requirement written on one schema element (its definition and extensions), checking every scope it names. */
function ownRequirement(
  coordinate: string,
  nodes: readonly DirectiveHolder[],
  directives: { authenticated: GraphQLDirective | undefined; requiresScopes: GraphQLDirective | undefined },
  problems: AuthSchemaProblem[],
): AuthRequirement | undefined {
  let requirement: AuthRequirement | undefined;
  if (directives.authenticated && directiveNodes(nodes, AUTH_DIRECTIVES.authenticated).length > 0) requirement = ANY_CALLER;
  if (!directives.requiresScopes) return requirement;
  for (const node of directiveNodes(nodes, AUTH_DIRECTIVES.requiresScopes)) {
    const values = getDirectiveValues(directives.requiresScopes, { directives: [node] });
    const lists = Array.isArray(values?.['scopes']) ? (values['scopes'] as unknown[]).filter((l): l is unknown[] => Array.isArray(l)).map((l) => l.map(String)) : [];
    const problem = (code: AuthSchemaProblem['code'], message: string) => problems.push({ code, coordinate, message: `@requiresScopes on ${coordinate} ${message}`, node });
    if (lists.length === 0 || lists.some((l) => l.length === 0)) problem('EMPTY_SCOPE_LIST', 'needs at least one scope in every list (an empty list would admit nobody or anybody).');
    for (const scope of new Set(lists.flat())) {
      if (!isScope(scope)) problem('UNKNOWN_SCOPE', `names the unknown scope "${scope}"; known: ${Object.keys(SCOPES).join(', ')} (src/auth/scopes.ts).`);
    }
    requirement = allOf(requirement, { anyOf: minimal(lists) });
  }
  return requirement;
}

/** Reads every guarded field of the schema; problems name unknown scopes and empty lists. */
export function readAuthRules(schema: GraphQLSchema): AuthRules {
  const directives = {
    authenticated: schema.getDirective(AUTH_DIRECTIVES.authenticated) ?? undefined,
    requiresScopes: schema.getDirective(AUTH_DIRECTIVES.requiresScopes) ?? undefined,
  };
  const problems: AuthSchemaProblem[] = [];
  const types = Object.values(schema.getTypeMap()).filter((t) => !t.name.startsWith('__'));
  const ofType = new Map<string, AuthRequirement>();
  for (const type of types) {
    const own = ownRequirement(type.name, [type.astNode, ...type.extensionASTNodes], directives, problems);
    if (own !== undefined) ofType.set(type.name, own);
  }
  // What returning a type costs: its own rule, or for an interface or union every possible type's.
  const returning = (type: GraphQLNamedType): AuthRequirement | undefined =>
    isAbstractType(type) ? schema.getPossibleTypes(type).reduce<AuthRequirement | undefined>((r, t) => allOf(r, ofType.get(t.name)), ofType.get(type.name)) : ofType.get(type.name);
  const own = new Map<string, AuthRequirement | undefined>();
  const ownOf = (typeName: string, field: GraphQLField<unknown, unknown>) => {
    const coordinate = `${typeName}.${field.name}`;
    if (!own.has(coordinate)) own.set(coordinate, ownRequirement(coordinate, [field.astNode], directives, problems));
    return own.get(coordinate);
  };
  const fields = new Map<string, AuthRequirement>();
  for (const type of types) {
    if (!isObjectType(type) && !isInterfaceType(type)) continue;
    for (const field of Object.values(type.getFields())) {
      // A field implementing an interface's field keeps that field's rule too.
      const inherited = type.getInterfaces().reduce<AuthRequirement | undefined>((r, i) => {
        const declared = i.getFields()[field.name];
        return declared ? allOf(r, ownOf(i.name, declared)) : r;
      }, undefined);
      const requirement = allOf(allOf(ownOf(type.name, field), inherited), returning(getNamedType(field.type)));
      if (requirement !== undefined) fields.set(`${type.name}.${field.name}`, requirement);
    }
  }
  return { fields, problems };
}

/** readAuthRules for a server: a schema naming an unknown scope does not load. */
export function authRulesOrThrow(schema: GraphQLSchema): AuthRules {
  const rules = readAuthRules(schema);
  if (rules.problems.length > 0) throw new Error(`The schema's authorization directives are wrong:\n${rules.problems.map((p) => `  ${p.message}`).join('\n')}`);
  return rules;
}
