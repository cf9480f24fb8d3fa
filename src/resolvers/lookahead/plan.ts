// The lookahead plan of a field: which reference fields are selected under it (through plain object
// fields such as a connection's `edges { node }` and through other references), so that they can be
// loaded for the whole value before graphql executes the fields under it. Built from the field's
// nodes in the document, once per document position (kept with the document's field node).
// Conservative: a field or fragment with any directive (@skip, @include, @defer…), a field with
// arguments on the way down, a fragment on another type, an abstract type and a field guarded by an
// authorization rule are left to normal execution, so the plan never loads what execution would not.
import {
  defaultFieldResolver,
  getNamedType,
  isObjectType,
  Kind,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLObjectType,
  type GraphQLResolveInfo,
  type SelectionSetNode,
} from 'graphql';
import { isGuardedField } from '../../auth/enforce-rules';
import { plainGetterOf } from './pass-through';
import { type AnyReference, referenceOf } from './reference';

/** A reference field is loaded for every parent; a plain field is read from each (`read`). */
export type PlanStep =
  | { readonly reference: AnyReference; readonly read?: undefined; readonly next: Plan }
  | { readonly reference?: undefined; readonly read: (parent: object) => unknown; readonly next: Plan };

export interface Plan {
  readonly steps: readonly PlanStep[];
}

const EMPTY: Plan = { steps: [] };

/** Resolver functions as declared (before @graphql-tools binds them), by `Type.field`. */
const resolversByCoordinate = new Map<string, unknown>();

/** Indexes the domain resolver maps once, so that the planner can tell reference and plain fields apart. */
export function indexResolvers(maps: readonly Readonly<Record<string, unknown>>[]): void {
  for (const map of maps) {
    for (const [typeName, fields] of Object.entries(map)) {
      if (typeof fields !== 'object' || fields === null) continue;
      for (const [fieldName, resolver] of Object.entries(fields)) resolversByCoordinate.set(`${typeName}.${fieldName}`, resolver);
    }
  }
}

type Fragments = Readonly<Record<string, FragmentDefinitionNode>>;

/**
 * Most field nodes one plan may look at: a document can spread the same fragments many times at
 * every level (each spread is cheap to send, and they multiply); past this the field gets no plan.
 */
const MAX_PLANNED_NODES = 2_000;

class TooLarge extends Error {}

interface Budget {
  nodes: number;
}

/** The fields selected on `type` by these selection sets, merged by name, each node once (a fragment spread twice is read once). */
function selectedFields(type: GraphQLObjectType, sets: readonly SelectionSetNode[], fragments: Fragments, budget: Budget): Map<string, FieldNode[]> {
  const out = new Map<string, FieldNode[]>();
  const seenFragments = new Set<string>();
  const seenSets = new Set<SelectionSetNode>();
  const visit = (set: SelectionSetNode): void => {
    if (seenSets.has(set)) return;
    seenSets.add(set);
    for (const selection of set.selections) {
      if ((selection.directives?.length ?? 0) > 0) continue;
      if (selection.kind === Kind.FIELD) {
        if ((budget.nodes += 1) > MAX_PLANNED_NODES) throw new TooLarge();
        const list = out.get(selection.name.value);
        if (list === undefined) out.set(selection.name.value, [selection]);
        else if (!list.includes(selection)) list.push(selection);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        if (selection.typeCondition === undefined || selection.typeCondition.name.value === type.name) visit(selection.selectionSet);
      } else if (!seenFragments.has(selection.name.value)) {
        seenFragments.add(selection.name.value);
        const fragment = fragments[selection.name.value];
        if (fragment !== undefined && fragment.typeCondition.name.value === type.name) visit(fragment.selectionSet);
      }
    }
  };
  sets.forEach(visit);
  return out;
}

function propertyOf(parent: object, name: string): unknown {
  const value: unknown = Reflect.get(parent, name);
  // graphql's default resolver would call a function property with arguments: not followed here.
  return typeof value === 'function' ? undefined : value;
}

function planOn(type: GraphQLObjectType, sets: readonly SelectionSetNode[], fragments: Fragments, budget: Budget): Plan {
  const steps: PlanStep[] = [];
  for (const [name, nodes] of selectedFields(type, sets, fragments, budget)) {
    const field = type.getFields()[name];
    if (field === undefined || isGuardedField(`${type.name}.${name}`)) continue;
    const returned = getNamedType(field.type);
    const childSets = nodes.flatMap((n) => (n.selectionSet === undefined ? [] : [n.selectionSet]));
    const next = isObjectType(returned) && childSets.length > 0 ? planOn(returned, childSets, fragments, budget) : EMPTY;
    const declared = resolversByCoordinate.get(`${type.name}.${name}`);
    const reference = referenceOf(declared);
    if (reference !== undefined) {
      steps.push({ reference, next });
      continue;
    }
    // A plain field is only worth walking through when something below it is loaded.
    if (next.steps.length === 0 || nodes.some((n) => (n.arguments?.length ?? 0) > 0)) continue;
    const getter = plainGetterOf(declared);
    if (getter !== undefined) steps.push({ read: getter, next });
    else if (declared === undefined && (field.resolve === undefined || field.resolve === defaultFieldResolver)) {
      steps.push({ read: (parent) => propertyOf(parent, name), next });
    }
  }
  return steps.length === 0 ? EMPTY : { steps };
}

function planOrNone(type: GraphQLObjectType, sets: readonly SelectionSetNode[], fragments: Fragments): Plan {
  try {
    return planOn(type, sets, fragments, { nodes: 0 });
  } catch (error) {
    if (error instanceof TooLarge) return EMPTY;
    throw error;
  }
}

interface Kept {
  readonly parentType: unknown;
  readonly nodes: readonly FieldNode[];
  readonly plan: Plan;
}

const kept = new WeakMap<FieldNode, Kept[]>();

function sameNodes(a: readonly FieldNode[], b: readonly FieldNode[]): boolean {
  return a.length === b.length && a.every((node, i) => node === b[i]);
}

/** Most plans kept per field node: a node is reached from a handful of parent types and field merges in one document. */
const KEPT_PER_NODE = 8;

/** The plan under the field being resolved (empty when nothing under it is a reference). */
export function planOf(info: GraphQLResolveInfo): Plan {
  const first = info.fieldNodes[0];
  if (first === undefined) return EMPTY;
  let entries = kept.get(first);
  const hit = entries?.find((e) => e.parentType === info.parentType && sameNodes(e.nodes, info.fieldNodes));
  if (hit !== undefined) return hit.plan;
  const returned = getNamedType(info.returnType);
  const sets = info.fieldNodes.flatMap((n) => (n.selectionSet === undefined ? [] : [n.selectionSet]));
  const plan = isObjectType(returned) && sets.length > 0 ? planOrNone(returned, sets, info.fragments) : EMPTY;
  if (entries === undefined) kept.set(first, (entries = []));
  if (entries.length < KEPT_PER_NODE) entries.push({ parentType: info.parentType, nodes: [...info.fieldNodes], plan });
  return plan;
}
