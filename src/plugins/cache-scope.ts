// Decides, from the document alone and before execution, whether a response may be shared between
// callers: PUBLIC unless it selects something the schema marks `@cacheControl(scope: PRIVATE)`
// (a private type, a private field, or a field returning a private type). The response cache keys
// PUBLIC documents without the session (one entry for everybody) and PRIVATE ones per caller.
import {
  getNamedType,
  isAbstractType,
  Kind,
  parse,
  TypeInfo,
  visit,
  visitWithTypeInfo,
  BREAK,
  type ConstDirectiveNode,
  type GraphQLNamedType,
  type GraphQLSchema,
} from 'graphql';

export interface CacheScope {
  /** True when the document may select caller-specific data (or cannot be read). */
  isPrivate(document: string | undefined): boolean;
  /** Types and `Type.field` coordinates marked PRIVATE (for logs and tests). */
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

function collectPrivate(schema: GraphQLSchema): { types: Set<string>; fields: Set<string> } {
  const types = new Set<string>();
  const fields = new Set<string>();
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith('__')) continue;
    const typeNodes = [type.astNode, ...(type.extensionASTNodes ?? [])];
    if (typeNodes.some((node) => node && 'directives' in node && scopeOf(node.directives) === 'PRIVATE')) types.add(type.name);
    if (!('getFields' in type)) continue;
    for (const field of Object.values(type.getFields())) {
      if (field.astNode && 'directives' in field.astNode && scopeOf(field.astNode.directives) === 'PRIVATE') {
        fields.add(`${type.name}.${field.name}`);
      }
    }
  }
  return { types, fields };
}

export function createCacheScope(schema: GraphQLSchema, options: CacheScopeOptions = {}): CacheScope {
  const { types, fields } = collectPrivate(schema);
  const maxDocuments = options.maxDocuments ?? 1000;
  const answers = new Map<string, boolean>();

  const isPrivateType = (type: GraphQLNamedType | undefined): boolean =>
    !!type && (types.has(type.name) || (isAbstractType(type) && schema.getPossibleTypes(type).some((t) => types.has(t.name))));

  function analyse(document: string): boolean {
    let ast;
    try {
      ast = parse(document);
    } catch {
      return true;
    }
    let found = false;
    const typeInfo = new TypeInfo(schema);
    visit(
      ast,
      visitWithTypeInfo(typeInfo, {
        Field(node) {
          const parent = typeInfo.getParentType() ?? undefined;
          const returned = typeInfo.getType();
          if (
            isPrivateType(parent) ||
            (parent && fields.has(`${parent.name}.${node.name.value}`)) ||
            isPrivateType(returned ? getNamedType(returned) : undefined)
          ) {
            found = true;
            return BREAK;
          }
          return undefined;
        },
      }),
    );
    return found;
  }

  return {
    privateTypes: types,
    privateFields: fields,
    isPrivate(document) {
      if (!document) return true;
      let answer = answers.get(document);
      if (answer === undefined) {
        answer = analyse(document);
        // A bounded memo: drop the oldest entry (Map keeps insertion order).
        if (answers.size >= maxDocuments) answers.delete(answers.keys().next().value ?? '');
        answers.set(document, answer);
      }
      return answer;
    },
  };
}
