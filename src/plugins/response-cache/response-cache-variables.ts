// The variables a response cache key is built from: those the selected operation declares, coerced
// as execution will coerce them (defaults applied, `5` for an ID becomes `"5"`). Raw variables
// made every unknown variable (`{"first":1,"junk":<random>}`) a new entry and an upstream call;
// undeclared variables never reach execution, so they must never reach the key either.
//
// The pipeline (onParams, before yoga parses) and the early hit (onRequest, per distinct URL) ask
// the same function, so both build the same key for the same request. Persisted documents are
// pre-parsed at load (persisted-store.ts); other documents (development, audit mode) are parsed
// here once per distinct text, as cache-scope.ts does.
import { getVariableValues, Kind, parse, type DocumentNode, type GraphQLSchema, type VariableDefinitionNode } from 'graphql';

/**
 * The coerced declared variables of the operation a request selects; undefined when there are none
 * to be had (no such operation, a document that does not parse, variables that fail coercion): the
 * request then fails validation or execution, and must not be cached.
 */
export type KeyVariables = (document: DocumentNode | string, operationName: string | undefined, inputs: unknown) => Record<string, unknown> | undefined;

export interface KeyVariablesOptions {
  readonly schema: GraphQLSchema;
  /** The pre-parsed document of a persisted body, so that a persisted operation is never parsed here. @default none (every document is parsed) */
  readonly documentOf?: (body: string) => DocumentNode | undefined;
  /** Distinct non-persisted documents whose operations are remembered (cleared when full). @default 1000 */
  readonly maxDocuments?: number;
}

interface OperationVariables {
  readonly name: string | undefined;
  readonly definitions: readonly VariableDefinitionNode[];
}

// Per parsed document (the persisted ones live as long as the manifest): its operations, read once.
const operationsByDocument = new WeakMap<DocumentNode, readonly OperationVariables[]>();

function operationsOf(document: DocumentNode): readonly OperationVariables[] {
  let operations = operationsByDocument.get(document);
  if (operations === undefined) {
    operations = document.definitions.flatMap((d) => (d.kind === Kind.OPERATION_DEFINITION ? [{ name: d.name?.value, definitions: d.variableDefinitions ?? [] }] : []));
    operationsByDocument.set(document, operations);
  }
  return operations;
}

/** graphql-js's operation selection (getOperationAST): by name, or the only operation when none is named. */
function selected(operations: readonly OperationVariables[], operationName: string | undefined): OperationVariables | undefined {
  if (operationName === undefined) return operations.length === 1 ? operations[0] : undefined;
  return operations.find((o) => o.name === operationName);
}

function isInputObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function createKeyVariables(options: KeyVariablesOptions): KeyVariables {
  const { schema, documentOf } = options;
  const maxDocuments = options.maxDocuments ?? 1000;
  // Only the variable definitions are kept (null: does not parse), not the whole AST.
  const parsed = new Map<string, readonly OperationVariables[] | null>();

  function operationsOfText(text: string): readonly OperationVariables[] | undefined {
    const persisted = documentOf?.(text);
    if (persisted !== undefined) return operationsOf(persisted);
    let operations = parsed.get(text);
    if (operations === undefined) {
      try {
        operations = operationsOf(parse(text, { noLocation: true }));
      } catch {
        operations = null;
      }
      if (parsed.size >= maxDocuments) parsed.clear();
      parsed.set(text, operations);
    }
    return operations ?? undefined;
  }

  return (document, operationName, inputs) => {
    if (inputs !== undefined && inputs !== null && !isInputObject(inputs)) return undefined;
    const operations = typeof document === 'string' ? operationsOfText(document) : operationsOf(document);
    const operation = operations === undefined ? undefined : selected(operations, operationName);
    if (operation === undefined) return undefined;
    if (operation.definitions.length === 0) return {};
    try {
      const result = getVariableValues(schema, operation.definitions, inputs ?? {}, { maxErrors: 1 });
      return result.coerced;
    } catch {
      // A pathological input (a stack overflow in a recursive input type) is not cacheable either.
      return undefined;
    }
  };
}
