// Stand-in values for required variables, shared by the cost estimate (values it does not depend on)
// and ops:check (a whole operation without a real request).
import { getNullableType, isEnumType, isInputObjectType, isListType, isNonNullType, isScalarType, type GraphQLInputType } from 'graphql';

/** A value of `type` that coerces; integers (slicing sizes) get `listSize`. */
export function placeholderValue(type: GraphQLInputType, listSize: number, depth = 0): unknown {
  const nullable = getNullableType(type);
  if (depth > 8) return null; // a self-referencing required input cannot be built; validation reports it
  if (isListType(nullable)) return [];
  if (isEnumType(nullable)) return nullable.getValues()[0]?.value ?? null;
  if (isInputObjectType(nullable)) {
    const fields = Object.values(nullable.getFields()).filter((f) => isNonNullType(f.type) && f.defaultValue === undefined);
    return Object.fromEntries(fields.map((f) => [f.name, placeholderValue(f.type, listSize, depth + 1)]));
  }
  if (isScalarType(nullable)) {
    if (nullable.name === 'Int') return listSize;
    if (nullable.name === 'Float') return listSize;
    if (nullable.name === 'Boolean') return true;
    if (nullable.name === 'DateTime') return '2000-01-01T00:00:00Z';
  }
  return 'placeholder';
}
