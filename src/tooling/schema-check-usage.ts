// The schema coordinates an operation uses (types, `Type.field`, `Type.field.arg`, `Input.field`,
// `Enum.VALUE`), and whether a schema change touches one of them: how schema:check names the
// operations a change would break.
import {
  getNamedType,
  isEnumType,
  isInputObjectType,
  isInputType,
  TypeInfo,
  typeFromAST,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type GraphQLInputType,
  type GraphQLSchema,
} from 'graphql';

/** Every coordinate the document touches, resolved against `schema` (the schema it was written for). */
export function usedCoordinates(schema: GraphQLSchema, document: DocumentNode): ReadonlySet<string> {
  const used = new Set<string>();
  const typeInfo = new TypeInfo(schema);

  // A variable or argument of an input type may carry any of its fields and enum values: the client
  // sends them at run time, so the whole reachable input type counts as used.
  const addInputType = (type: GraphQLInputType | null | undefined): void => {
    if (!type) return;
    const named = getNamedType(type);
    if (used.has(named.name)) return;
    used.add(named.name);
    if (isInputObjectType(named)) {
      for (const field of Object.values(named.getFields())) {
        used.add(`${named.name}.${field.name}`);
        addInputType(field.type);
      }
    }
  };

  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field(node) {
        const parent = typeInfo.getParentType();
        const field = typeInfo.getFieldDef();
        if (!parent || !field) return;
        used.add(parent.name);
        used.add(`${parent.name}.${node.name.value}`);
        used.add(getNamedType(field.type).name);
      },
      Argument(node) {
        const parent = typeInfo.getParentType();
        const field = typeInfo.getFieldDef();
        const argument = typeInfo.getArgument();
        if (!parent || !field || !argument) return;
        used.add(`${parent.name}.${field.name}.${node.name.value}`);
        addInputType(argument.type);
      },
      VariableDefinition(node) {
        const type = typeFromAST(schema, node.type);
        if (type && isInputType(type)) addInputType(type);
      },
      ObjectField(node) {
        const parent = typeInfo.getParentInputType();
        if (parent) used.add(`${getNamedType(parent).name}.${node.name.value}`);
      },
      EnumValue(node) {
        const type = typeInfo.getInputType();
        if (type) used.add(`${getNamedType(type).name}.${node.value}`);
      },
      InlineFragment(node) {
        if (node.typeCondition) used.add(node.typeCondition.name.value);
      },
      FragmentDefinition(node) {
        used.add(node.typeCondition.name.value);
      },
    }),
  );
  return used;
}

/** The change kinds where an operation is affected only when it passes the argument itself. */
const NEEDS_ARGUMENT_PASSED = new Set(['FIELD_ARGUMENT_REMOVED', 'FIELD_ARGUMENT_DESCRIPTION_CHANGED']);

/**
 * Whether a change at schema coordinate `path` touches an operation that uses `used`.
 * Enum values and input fields count as used by whoever uses their type; an argument change counts
 * for every selection of its field (an added required argument or a new default matters precisely
 * when the operation does not pass it).
 */
export function changeTouches(
  change: { readonly path?: string | undefined; readonly type: string },
  used: ReadonlySet<string>,
  schemas: readonly GraphQLSchema[],
): boolean {
  if (!change.path || change.path.startsWith('@')) return false;
  const [typeName = '', member, argument] = change.path.split('.');
  if (member === undefined) return used.has(typeName);
  const type = schemas.map((schema) => schema.getType(typeName)).find((t) => t !== undefined);
  if (type && (isEnumType(type) || isInputObjectType(type))) return used.has(typeName);
  if (argument === undefined) return used.has(`${typeName}.${member}`);
  if (NEEDS_ARGUMENT_PASSED.has(change.type)) return used.has(`${typeName}.${member}.${argument}`);
  return used.has(`${typeName}.${member}`);
}
