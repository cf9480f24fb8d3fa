// Stand-in values for an operation's required variables, so that CI can estimate the cost of an
// operation without a real request. Slicing arguments left to a variable are costed at the list
// size the server assumes when a size is unknown; every other value only has to coerce.
import {
  getNullableType,
  isEnumType,
  isInputObjectType,
  isInputType,
  isListType,
  isNonNullType,
  isScalarType,
  typeFromAST,
  type GraphQLInputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { DEFAULT_COST } from './cost';

function placeholder(type: GraphQLInputType, listSize: number, depth = 0): unknown {
  const nullable = getNullableType(type);
  if (depth > 8) return null; // a self-referencing required input cannot be built; validation reports it
  if (isListType(nullable)) return [];
  if (isEnumType(nullable)) return nullable.getValues()[0]?.value ?? null;
  if (isInputObjectType(nullable)) {
    const fields = Object.values(nullable.getFields()).filter((f) => isNonNullType(f.type) && f.defaultValue === undefined);
    return Object.fromEntries(fields.map((f) => [f.name, placeholder(f.type, listSize, depth + 1)]));
  }
  if (isScalarType(nullable)) {
    if (nullable.name === 'Int') return listSize;
    if (nullable.name === 'Float') return listSize;
    if (nullable.name === 'Boolean') return true;
    if (nullable.name === 'DateTime') return '2000-01-01T00:00:00Z';
  }
  return 'placeholder';
}

/** Values for the required variables (non-null, no default) of `operation`; optional ones are left out. */
export function placeholderVariables(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  listSize: number = DEFAULT_COST.listSize,
): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const definition of operation.variableDefinitions ?? []) {
    const type = typeFromAST(schema, definition.type);
    if (!type || !isInputType(type) || !isNonNullType(type) || definition.defaultValue) continue;
    values[definition.variable.name.value] = placeholder(type, listSize);
  }
  return values;
}
