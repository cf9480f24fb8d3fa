// A provider's answer against the wire schema the runtime parses it with: what drifted (a field
// missing, re-typed, an unknown enum value) and, as information, the fields the schema does not know.
// Findings of every item of a list are grouped under one path (`items[].stock_qty`, counted).
import { z } from 'zod';

export type FindingKind = 'missing' | 'retyped' | 'unknown-enum' | 'invalid' | 'extra' | 'document' | 'graphql-error';

export interface Finding {
  /** `drift` fails the check; `info` (a field the schema does not know) does not. */
  readonly severity: 'drift' | 'info';
  readonly kind: FindingKind;
  /** Where in the answer (`items[].price.amount`), or in the document (`users.emailAddress`). */
  readonly path: string;
  readonly expected: string;
  /** What the provider sent, at the first place it occurs (`number 12.5`, `nothing`). */
  readonly found: string;
  /** How many places (list items) share this finding. */
  readonly count: number;
}

/** Findings kept per call: past it, a broken answer would only repeat itself. */
export const MAX_FINDINGS = 50;
/** Characters of a found value shown. */
const PREVIEW_CHARS = 40;

/** `items[].price.amount`: list indices collapsed so that every item shares one path. */
export function formatPath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const key of path) {
    if (typeof key === 'number') text += '[]';
    else text += text === '' ? String(key) : `.${String(key)}`;
  }
  return text === '' ? '(answer)' : text;
}

/** A short, bounded description of a value: its JSON type and a preview. */
export function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return `array(${value.length})`;
  if (typeof value === 'object') return 'object';
  if (typeof value === 'string') return `string ${JSON.stringify(value.length > PREVIEW_CHARS ? `${value.slice(0, PREVIEW_CHARS)}…` : value)}`;
  return `${typeof value} ${String(value)}`;
}

function valueAt(body: unknown, path: readonly PropertyKey[]): unknown {
  let value = body;
  for (const key of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

function findingOf(issue: z.core.$ZodIssue, body: unknown): Omit<Finding, 'count'> {
  const path = formatPath(issue.path);
  const found = valueAt(body, issue.path);
  switch (issue.code) {
    case 'invalid_type':
      return { severity: 'drift', kind: found === undefined ? 'missing' : 'retyped', path, expected: issue.expected, found: describe(found) };
    case 'invalid_value':
      return { severity: 'drift', kind: 'unknown-enum', path, expected: `one of ${issue.values.map((v) => JSON.stringify(v)).join(' | ')}`, found: describe(found) };
    default:
      return { severity: 'drift', kind: 'invalid', path, expected: issue.message, found: describe(found) };
  }
}

/** The fields of `value` that `schema`'s objects do not declare (a provider's additions), as info. */
function extras(schema: z.ZodType, value: unknown, path: PropertyKey[], out: Omit<Finding, 'count'>[]): void {
  if (schema instanceof z.ZodNullable || schema instanceof z.ZodOptional) return extras(schema.unwrap() as z.ZodType, value, path, out);
  if (schema instanceof z.ZodArray && Array.isArray(value)) {
    value.forEach((item, i) => extras(schema.element as z.ZodType, item, [...path, i], out));
    return;
  }
  if (!(schema instanceof z.ZodObject) || typeof value !== 'object' || value === null || Array.isArray(value)) return;
  const shape: Readonly<Record<string, z.ZodType>> = schema.shape;
  for (const [key, field] of Object.entries(value)) {
    const declared = Object.hasOwn(shape, key) ? shape[key] : undefined;
    if (declared === undefined) out.push({ severity: 'info', kind: 'extra', path: formatPath([...path, key]), expected: 'no such field', found: describe(field) });
    else extras(declared, field, [...path, key], out);
  }
}

/** Groups findings that share severity, kind and path; counts them; keeps the first `found`. */
export function groupFindings(findings: readonly Omit<Finding, 'count'>[]): Finding[] {
  const groups = new Map<string, Finding>();
  for (const finding of findings) {
    const key = `${finding.severity}\n${finding.kind}\n${finding.path}`;
    const seen = groups.get(key);
    if (seen) groups.set(key, { ...seen, count: seen.count + 1 });
    else if (groups.size < MAX_FINDINGS) groups.set(key, { ...finding, count: 1 });
  }
  // Drift first: it is what fails the check.
  return [...groups.values()].sort((a, b) => (a.severity === b.severity ? 0 : a.severity === 'drift' ? -1 : 1));
}

/** Every drift of `body` against `schema` (zod's issues, all of them), then the extra fields as info. */
export function driftOf(schema: z.ZodType, body: unknown): Finding[] {
  const result = schema.safeParse(body);
  const found = result.success ? [] : result.error.issues.map((issue) => findingOf(issue, body));
  extras(schema, body, [], found);
  return groupFindings(found);
}
