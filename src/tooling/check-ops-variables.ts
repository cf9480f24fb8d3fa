// Stand-in values for an operation's required variables, so that CI can estimate the cost of an
// operation without a real request. Slicing arguments left to a variable are costed at the list
// size the server assumes when a size is unknown; every other value only has to coerce.
import {
  isInputType,
  isNonNullType,
  typeFromAST,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { DEFAULT_COST } from '../operations/cost';
import { placeholderValue } from '../operations/placeholder-value';


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
    values[definition.variable.name.value] = placeholderValue(type, listSize);
  }
  return values;
}
