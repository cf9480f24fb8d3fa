// Decides, from the document alone and before execution, whether a response may be shared between
// callers: PUBLIC unless it selects something the schema marks `@cacheControl(scope: PRIVATE)`
// (a private type, a private field, or a field returning a private type; what the authorization
// rules guard counts as private: the rules the resolvers enforce, read by the same function, so an
// interface field's rule covers every implementation here as it does there). The response cache keys
// PUBLIC documents without the session (one entry for everybody) and PRIVATE ones per caller.
// It also gives a PUBLIC document's max-age for HTTP caches: the smallest @cacheControl maxAge of
// the fields it selects and of the types they return, known before execution, so that a cache miss
// and a hit (which has no result to read) send the same Cache-Control.
import { isAbstractType, Kind, parse, type ConstDirectiveNode, type GraphQLNamedType, type GraphQLSchema } from 'graphql';
import { authRulesOrThrow } from '../../auth/requirements';
import { forEachSelectedField } from '../../auth/selected-fields';

export interface CacheScope {
  /** True when the document may select caller-specific data (or cannot be read). */
  isPrivate(document: string | undefined): boolean;
  /**
   * Seconds an HTTP cache may keep a PUBLIC document's answer: the smallest maxAge among the fields
   * it selects and the types they return (all possible types of an abstract one); undefined when
   * the document is private, cannot be read, or meets no maxAge.
   */
  maxAgeOf(document: string | undefined): number | undefined;
  /** Types and `Type.field` coordinates marked PRIVATE or guarded by the authorization rules (for logs and tests). */
  readonly privateTypes: ReadonlySet<string>;
  readonly privateFields: ReadonlySet<string>;
}

export interface CacheScopeOptions {
  /** Distinct documents whose answer is remembered. @default 1000 */
  readonly maxDocuments?: number;
}

function scopeOf(directives: readonly ConstDirectiveNode[] | undefined): string | undefined {
  for (const directive of directives ?? []) {
    if (directive.name.value !== 'cacheControl') continue;
    const scope = directive.arguments?.find((a) => a.name.value === 'scope')?.value;
    if (scope?.kind === Kind.ENUM) return scope.value;
  }
  return undefined;
}

function maxAgeArgOf(directives: readonly ConstDirectiveNode[] | undefined): number | undefined {
  for (const directive of directives ?? []) {
    if (directive.name.value !== 'cacheControl') continue;
    const maxAge = directive.arguments?.find((a) => a.name.value === 'maxAge')?.value;
    if (maxAge?.kind === Kind.INT) return Number(maxAge.value);
  }
  return undefined;
}

interface SchemaCacheControl {
  readonly types: Set<string>;
  readonly fields: Set<string>;
  readonly typeMaxAge: Map<string, number>;
  readonly fieldMaxAge: Map<string, number>;
}

function collect(schema: GraphQLSchema): SchemaCacheControl {
  // What only some callers may read is never shared, whatever its @cacheControl says: the guarded
  // fields are the enforced rules' (a type's rule guards the fields returning it, an interface
  // field's rule its implementations), not a second reading of the directives that could disagree.
  const found: SchemaCacheControl = { types: new Set(), fields: new Set(authRulesOrThrow(schema).fields.keys()), typeMaxAge: new Map(), fieldMaxAge: new Map() };
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith('__')) continue;
    const typeNodes = [type.astNode, ...(type.extensionASTNodes ?? [])];
    for (const node of typeNodes) {
      if (!node || !('directives' in node)) continue;
      if (scopeOf(node.directives) === 'PRIVATE') found.types.add(type.name);
      const maxAge = maxAgeArgOf(node.directives);
      if (maxAge !== undefined) found.typeMaxAge.set(type.name, maxAge);
    }
    if (!('getFields' in type)) continue;
    for (const field of Object.values(type.getFields())) {
      if (!field.astNode || !('directives' in field.astNode)) continue;
      const coordinate = `${type.name}.${field.name}`;
      if (scopeOf(field.astNode.directives) === 'PRIVATE') found.fields.add(coordinate);
      const maxAge = maxAgeArgOf(field.astNode.directives);
      if (maxAge !== undefined) found.fieldMaxAge.set(coordinate, maxAge);
    }
  }
  return found;
}

interface Answer {
  readonly isPrivate: boolean;
  readonly maxAge: number | undefined;
}

// What cannot be read is treated as private: never shared, never publicly cacheable.
const PRIVATE_ANSWER: Answer = { isPrivate: true, maxAge: undefined };

export function createCacheScope(schema: GraphQLSchema, options: CacheScopeOptions = {}): CacheScope {
  const { types, fields, typeMaxAge, fieldMaxAge } = collect(schema);
  const maxDocuments = options.maxDocuments ?? 1000;
  const answers = new Map<string, Answer>();

  const typesOf = (type: GraphQLNamedType | undefined): readonly GraphQLNamedType[] =>
    !type ? [] : isAbstractType(type) ? [type, ...schema.getPossibleTypes(type)] : [type];
  const isPrivateType = (type: GraphQLNamedType | undefined): boolean => typesOf(type).some((t) => types.has(t.name));
  // Selected on an interface, a field runs as some implementation's field, which may carry a rule the interface's lacks.
  const isPrivateField = (parent: GraphQLNamedType, name: string): boolean => typesOf(parent).some((t) => fields.has(`${t.name}.${name}`));
  const smaller = (a: number | undefined, b: number | undefined) => (a === undefined ? b : b === undefined ? a : Math.min(a, b));

  function analyse(document: string): Answer {
    let ast;
    try {
      ast = parse(document);
    } catch {
      return PRIVATE_ANSWER;
    }
    let found = false;
    let maxAge: number | undefined;
    forEachSelectedField(schema, ast, ({ node, parent, returned }) => {
      if (isPrivateType(parent) || (parent !== undefined && isPrivateField(parent, node.name.value)) || isPrivateType(returned)) {
        found = true;
        return true;
      }
      if (parent !== undefined) maxAge = smaller(maxAge, fieldMaxAge.get(`${parent.name}.${node.name.value}`));
      for (const type of typesOf(returned)) maxAge = smaller(maxAge, typeMaxAge.get(type.name));
      return false;
    });
    return found ? PRIVATE_ANSWER : { isPrivate: false, maxAge };
  }

  function answerOf(document: string | undefined): Answer {
    if (!document) return PRIVATE_ANSWER;
    let answer = answers.get(document);
    if (answer === undefined) {
      answer = analyse(document);
      // A bounded memo: drop the oldest entry (Map keeps insertion order).
      if (answers.size >= maxDocuments) answers.delete(answers.keys().next().value ?? '');
      answers.set(document, answer);
    }
    return answer;
  }

  return {
    privateTypes: types,
    privateFields: fields,
    isPrivate: (document) => answerOf(document).isPrivate,
    maxAgeOf: (document) => answerOf(document).maxAge,
  };
}
