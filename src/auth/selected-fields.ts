// The fields a document selects, each with the type it is selected on and the named type it
// returns (graphql's TypeInfo): the one walk behind the document's auth requirement
// (operation-requirement.ts) and the response cache's scope (plugins/response-cache/cache-scope.ts).
import { BREAK, getNamedType, TypeInfo, visit, visitWithTypeInfo, type DocumentNode, type FieldNode, type GraphQLCompositeType, type GraphQLNamedType, type GraphQLSchema } from 'graphql';

export interface SelectedField {
  readonly node: FieldNode;
  /** The type the field is selected on; undefined when the schema does not know it. */
  readonly parent: GraphQLCompositeType | undefined;
  /** The named type it returns; undefined when the schema does not know the field. */
  readonly returned: GraphQLNamedType | undefined;
}

/** Calls `onField` for every selected field in document order; the walk stops when it returns true. */
export function forEachSelectedField(schema: GraphQLSchema, document: DocumentNode, onField: (field: SelectedField) => boolean | void): void {
  const typeInfo = new TypeInfo(schema);
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field(node) {
        const type = typeInfo.getType();
        const stop = onField({ node, parent: typeInfo.getParentType() ?? undefined, returned: type ? getNamedType(type) : undefined });
        return stop === true ? BREAK : undefined;
      },
    }),
  );
}
