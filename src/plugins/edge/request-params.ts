// useRequestParams: the request's GraphQL parameters are checked for type and size before any other
// plugin reads them (telemetry, the allowlist, the cache key, the limits). A client's `operationName`
// sent as an array reached a metrics label and a `null` batch item a property read, both as 500s;
// variables nested 20,000 deep overflowed the stack of the cache key's stringify. Each is a 400 here.
import type { Plugin } from 'graphql-yoga';
import { AppError } from '../../errors/app-error';

export interface RequestParamsOptions {
  /** Deepest nesting of objects and arrays in `variables` and in `extensions` (the top object is 1). @default 32 */
  readonly maxVariablesDepth: number;
  /** Values (object entries and array items, at any depth) in `variables` and in `extensions` each. @default 10000 */
  readonly maxVariablesValues: number;
}

const STRING_PARAMS = ['query', 'operationName', 'documentId'] as const;
const OBJECT_PARAMS = ['variables', 'extensions'] as const;

const isPlainObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function badRequest(message: string, extensions?: Record<string, unknown>): AppError {
  return new AppError('BAD_REQUEST', message, extensions === undefined ? {} : { extensions });
}

interface ValueShape {
  /** Deepest nesting seen, up to the first value past a limit. */
  readonly depth: number;
  readonly values: number;
  /** The limit passed, if any: the walk stops there. */
  readonly exceeded: 'depth' | 'values' | undefined;
}

/**
 * Depth and count of a parsed JSON value, walked with an explicit stack (a recursive walk would
 * itself overflow on the input it guards against) and stopped at the first value past a limit.
 */
function shapeOf(value: unknown, maxDepth: number, maxValues: number): ValueShape {
  const stack: [unknown, number][] = [[value, 1]];
  let depth = 0;
  let values = 0;
  while (stack.length > 0) {
    const [current, level] = stack.pop()!;
    if (typeof current !== 'object' || current === null) continue;
    if (level > depth) depth = level;
    if (depth > maxDepth) return { depth, values, exceeded: 'depth' };
    const children = Array.isArray(current) ? current : Object.values(current);
    values += children.length;
    if (values > maxValues) return { depth, values, exceeded: 'values' };
    for (const child of children) if (typeof child === 'object' && child !== null) stack.push([child, level + 1]);
  }
  return { depth, values, exceeded: undefined };
}

/** Throws the 400 that a malformed parameter set earns; returns when every parameter is well-typed and bounded. */
function checkRequestParams(params: unknown, options: RequestParamsOptions): void {
  if (!isPlainObject(params)) throw badRequest('Each operation of a request is a JSON object.');
  for (const name of STRING_PARAMS) {
    const value = params[name];
    if (value !== undefined && value !== null && typeof value !== 'string') throw badRequest(`The "${name}" parameter must be a string.`);
  }
  for (const name of OBJECT_PARAMS) {
    const value = params[name];
    if (value === undefined || value === null) continue;
    if (!isPlainObject(value)) throw badRequest(`The "${name}" parameter must be a JSON object.`);
    const shape = shapeOf(value, options.maxVariablesDepth, options.maxVariablesValues);
    if (shape.exceeded === 'depth') throw badRequest(`The "${name}" parameter is nested too deeply.`, { limit: { max: options.maxVariablesDepth } });
    if (shape.exceeded === 'values') throw badRequest(`The "${name}" parameter has too many values.`, { limit: { max: options.maxVariablesValues } });
  }
}

export function useRequestParams(options: RequestParamsOptions): Plugin {
  return {
    onParams({ params }) {
      checkRequestParams(params, options);
    },
  };
}
