// Static cost of an operation per the IBM GraphQL Cost Directive spec, computed by
// graphql-query-complexity with one estimator driven by the schema's `@cost` and `@listSize`.
//
// cost(field) = argumentWeights + multiplier * (weight + cost(children)), where
//   weight     = the field's @cost, else its type's @cost, else 10 for a mutation root field,
//                1 for an object/interface/union, 0 for a scalar or enum;
//   multiplier = for a list: the largest slicing argument given (defaults count), else
//                @listSize(assumedSize), else `defaults.listSize`; for a field named in its parent's
//                @listSize(sizedFields), the parent's slicing size; otherwise 1.
import {
  getArgumentValues,
  getNamedType,
  getNullableType,
  getOperationAST,
  getVariableValues,
  isCompositeType,
  isInputType,
  isListType,
  Kind,
  TypeInfo,
  typeFromAST,
  valueFromASTUntyped,
  visit,
  visitWithTypeInfo,
  type ConstDirectiveNode,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';
import { getComplexity, type ComplexityEstimatorArgs } from 'graphql-query-complexity';
import { placeholderValue } from './placeholder-value';

export interface CostDefaults {
  /** @default 0 */
  readonly scalar: number;
  /** @default 1 */
  readonly object: number;
  /** Weight of a mutation root field without @cost. @default 10 */
  readonly mutation: number;
  /** Size assumed for a list without @listSize. @default 10 */
  readonly listSize: number;
  /** Selections the estimator may visit (fragments expanded) before it gives up. @default 10000 */
  readonly maxNodes: number;
}

export const DEFAULT_COST: CostDefaults = Object.freeze({ scalar: 0, object: 1, mutation: 10, listSize: 10, maxNodes: 10_000 });

/** The estimate gave up: the document expands to more selections than `maxNodes`. */
export class CostEstimateAbandoned extends Error {
  constructor(readonly maxNodes: number) {
    super(`The operation expands to more than ${maxNodes} selections.`);
    this.name = 'CostEstimateAbandoned';
  }
}

interface ListSize {
  readonly assumedSize: number | undefined;
  readonly slicingArguments: readonly string[];
  readonly sizedFields: readonly string[];
}

interface FieldCostSpec {
  readonly weight: number | undefined;
  readonly listSize: ListSize | undefined;
  readonly argumentWeights: readonly (readonly [string, number])[];
}

type AnyField = GraphQLField<unknown, unknown>;

function directive(node: { readonly directives?: readonly ConstDirectiveNode[] } | null | undefined, name: string): Record<string, unknown> | undefined {
  const found = node?.directives?.find((d) => d.name.value === name);
  if (!found) return undefined;
  return Object.fromEntries((found.arguments ?? []).map((a) => [a.name.value, valueFromASTUntyped(a.value)]));
}

// `weight` is a String per the spec ("weight: String!") so that it can carry decimals; numbers are accepted too.
function weightOf(args: Record<string, unknown> | undefined): number | undefined {
  const raw = args?.['weight'];
  const n = typeof raw === 'string' ? Number(raw) : typeof raw === 'number' ? raw : NaN;
  return Number.isFinite(n) ? n : undefined;
}

const specs = new WeakMap<AnyField, FieldCostSpec>();
function specOf(field: AnyField): FieldCostSpec {
  let spec = specs.get(field);
  if (!spec) {
    const list = directive(field.astNode, 'listSize');
    const strings = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
    spec = {
      weight: weightOf(directive(field.astNode, 'cost')),
      listSize: list && {
        assumedSize: typeof list['assumedSize'] === 'number' ? list['assumedSize'] : undefined,
        slicingArguments: strings(list['slicingArguments']),
        sizedFields: strings(list['sizedFields']),
      },
      argumentWeights: field.args.flatMap((a) => {
        const w = weightOf(directive(a.astNode, 'cost'));
        return w === undefined ? [] : [[a.name, w] as const];
      }),
    };
    specs.set(field, spec);
  }
  return spec;
}

const typeWeights = new WeakMap<GraphQLNamedType, number | null>();
function typeWeight(type: GraphQLNamedType): number | undefined {
  let w = typeWeights.get(type);
  if (w === undefined) {
    const nodes = [type.astNode, ...(type.extensionASTNodes ?? [])];
    w = nodes.map((n) => weightOf(directive(n, 'cost'))).find((x) => x !== undefined) ?? null;
    typeWeights.set(type, w);
  }
  return w ?? undefined;
}

function sliceSize(list: ListSize | undefined, args: Record<string, unknown>, fallback: number): number {
  const given = (list?.slicingArguments ?? []).map((name) => args[name]).filter((v): v is number => typeof v === 'number');
  if (given.length > 0) return Math.max(0, ...given);
  return list?.assumedSize ?? fallback;
}

function selectedFields(set: SelectionSetNode | undefined, names: ReadonlySet<string>, fragments: ReadonlyMap<string, FragmentDefinitionNode>, seen = new Set<string>()): FieldNode[] {
  const out: FieldNode[] = [];
  for (const s of set?.selections ?? []) {
    if (s.kind === Kind.FIELD) {
      if (names.has(s.name.value)) out.push(s);
    } else if (s.kind === Kind.INLINE_FRAGMENT) {
      out.push(...selectedFields(s.selectionSet, names, fragments, seen));
    } else if (!seen.has(s.name.value)) {
      seen.add(s.name.value);
      out.push(...selectedFields(fragments.get(s.name.value)?.selectionSet, names, fragments, seen));
    }
  }
  return out;
}

// The size a @listSize(sizedFields) parent gives its sized children (a fragment reached from two
// parents keeps the larger size: an over-estimate, never an under-estimate).
function sizedChildren(schema: GraphQLSchema, document: DocumentNode, variables: Record<string, unknown>, defaults: CostDefaults): Map<FieldNode, number> {
  const sizes = new Map<FieldNode, number>();
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const typeInfo = new TypeInfo(schema);
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field(node) {
        const field = typeInfo.getFieldDef();
        const list = field && specOf(field as AnyField).listSize;
        if (!field || !list || list.sizedFields.length === 0) return;
        let args: Record<string, unknown>;
        try {
          args = getArgumentValues(field, node, variables);
        } catch {
          return; // invalid arguments: validation reports them
        }
        const size = sliceSize(list, args, defaults.listSize);
        for (const child of selectedFields(node.selectionSet, new Set(list.sizedFields), fragments)) {
          sizes.set(child, Math.max(sizes.get(child) ?? 0, size));
        }
      },
    }),
  );
  return sizes;
}

function createEstimator(schema: GraphQLSchema, sized: ReadonlyMap<FieldNode, number>, defaults: CostDefaults) {
  const mutationType = schema.getMutationType();
  return ({ field, type, node, args, childComplexity }: ComplexityEstimatorArgs): number => {
    if (field.name.startsWith('__')) return 0; // introspection: off in production, free in development
    const spec = specOf(field as AnyField);
    const named = getNamedType(field.type);
    const weight =
      spec.weight ??
      (type === mutationType ? defaults.mutation : (typeWeight(named) ?? (isCompositeType(named) ? defaults.object : defaults.scalar)));
    const argumentCost = spec.argumentWeights.reduce((sum, [name, w]) => (args[name] === undefined ? sum : sum + w), 0);
    const multiplier = sized.get(node) ?? (isListType(getNullableType(field.type)) ? sliceSize(spec.listSize, args, defaults.listSize) : 1);
    return argumentCost + multiplier * (weight + childComplexity);
  };
}


function withPlaceholders(schema: GraphQLSchema, operation: OperationDefinitionNode, variables: Record<string, unknown>, dependsOn: readonly string[]): Record<string, unknown> {
  const filled = { ...variables };
  for (const definition of operation.variableDefinitions ?? []) {
    const name = definition.variable.name.value;
    if (Object.hasOwn(filled, name) || definition.defaultValue || dependsOn.includes(name) || definition.type.kind !== Kind.NON_NULL_TYPE) continue;
    const type = typeFromAST(schema, definition.type);
    // A value the estimate does not depend on (an id, an input object): ProductDetail($id: ID!) costs the same for any id.
    if (type && isInputType(type)) filled[name] = placeholderValue(type, 0);
  }
  return filled;
}

export interface EstimateOptions {
  readonly operationName?: string | null | undefined;
  readonly variables?: Readonly<Record<string, unknown>> | null | undefined;
  readonly defaults?: Partial<CostDefaults>;
}

/**
 * The static cost of the operation `operationName` selects (the only one when omitted). Required
 * variables the cost does not depend on may be missing (CI estimates without values).
 * Throws CostEstimateAbandoned past `maxNodes`, and the GraphQLError of variables that do not coerce.
 */
export function estimateCost(schema: GraphQLSchema, document: DocumentNode, options: EstimateOptions = {}): number {
  const defaults = { ...DEFAULT_COST, ...options.defaults };
  const operation = getOperationAST(document, options.operationName ?? undefined);
  if (!operation) return 0; // nothing to execute: execution reports it
  const definitions = [operation, ...document.definitions.filter((d) => d.kind === Kind.FRAGMENT_DEFINITION)];
  const inputs = withPlaceholders(schema, operation, { ...options.variables }, costVariableNames(schema, { kind: Kind.DOCUMENT, definitions }));
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], inputs);
  if (coerced.errors) throw coerced.errors[0];
  const sized = sizedChildren(schema, { kind: Kind.DOCUMENT, definitions }, coerced.coerced, defaults);
  try {
    return getComplexity({
      schema,
      // graphql-query-complexity sums every operation unless named, and cannot name an anonymous one.
      query: { kind: Kind.DOCUMENT, definitions },
      variables: inputs,
      estimators: [createEstimator(schema, sized, defaults)],
      maxQueryNodes: defaults.maxNodes,
    });
  } catch (error) {
    if (error instanceof Error && error.message.startsWith('Query exceeds the maximum allowed number of nodes')) throw new CostEstimateAbandoned(defaults.maxNodes);
    throw error;
  }
}

function variablesIn(value: ValueNode, into: Set<string>): void {
  if (value.kind === Kind.VARIABLE) into.add(value.name.value);
  else if (value.kind === Kind.LIST) value.values.forEach((v) => variablesIn(v, into));
  else if (value.kind === Kind.OBJECT) value.fields.forEach((f) => variablesIn(f.value, into));
}

/**
 * The variables an estimate depends on (slicing arguments, arguments with @cost, @skip/@include),
 * sorted: a cost cache keyed by the document and these values is exact.
 */
export function costVariableNames(schema: GraphQLSchema, document: DocumentNode): readonly string[] {
  const names = new Set<string>();
  const typeInfo = new TypeInfo(schema);
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Directive(node) {
        if (node.name.value === 'skip' || node.name.value === 'include') node.arguments?.forEach((a) => variablesIn(a.value, names));
      },
      Argument(node) {
        const field = typeInfo.getFieldDef();
        if (!field || typeInfo.getDirective()) return;
        const spec = specOf(field as AnyField);
        const matters = spec.listSize?.slicingArguments.includes(node.name.value) || spec.argumentWeights.some(([n]) => n === node.name.value);
        if (matters) variablesIn(node.value, names);
      },
    }),
  );
  return [...names].sort();
}
