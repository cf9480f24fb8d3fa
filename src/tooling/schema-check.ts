// schema:check in-process: the changes between the last released schema and the current one, each
// classified safe / dangerous / breaking (@graphql-inspector/core), and the retained persisted
// operations each change would break. Breaking a shipped operation fails; a breaking change no
// retained operation uses passes with a warning, and so does one accepted in a reviewed file
// (persisted-queries/accepted-changes.json) with the reason it cannot hurt those operations.
import { CriticalityLevel, diff, type Change } from '@graphql-inspector/core';
import { buildSchema, GraphQLError, parse, validate, type DocumentNode, type GraphQLSchema } from 'graphql';
import { changeTouches, usedCoordinates } from './schema-check-usage';

export interface RetainedOperation {
  readonly name: string;
  readonly body: string;
  /** Where it is retained, e.g. `persisted-queries/released/web@1.4.0.json`. */
  readonly source: string;
}

/** A breaking change reviewed and let through, until schema:release makes it part of the baseline. */
export interface AcceptedChange {
  /** @graphql-inspector's change type, e.g. `FIELD_TYPE_CHANGED`. */
  readonly type: string;
  /** The change's path, e.g. `User.email`. */
  readonly path: string;
  /** Why the retained operations it touches cannot be hurt; printed with the warning. */
  readonly reason: string;
}

export interface SchemaCheckOptions {
  /** The last released schema (SDL). */
  readonly baselineSdl: string;
  /** The schema about to ship (SDL). */
  readonly currentSdl: string;
  /** Every operation a client still in use may send. */
  readonly operations: readonly RetainedOperation[];
  /** Breaking changes that warn instead of failing. @default none */
  readonly accepted?: readonly AcceptedChange[];
}

export type ChangeLevel = 'safe' | 'dangerous' | 'breaking';

/** fail: breaks a retained operation; warn: breaking but unused, or dangerous and used; pass: the rest. */
export type ChangeVerdict = 'fail' | 'warn' | 'pass';

export interface ClassifiedChange {
  readonly level: ChangeLevel;
  /** @graphql-inspector's change type, e.g. `FIELD_REMOVED`. */
  readonly type: string;
  readonly message: string;
  readonly path: string | undefined;
  /** Labels of the retained operations this change touches (`Name (source, …)`). */
  readonly operations: readonly string[];
  readonly verdict: ChangeVerdict;
  /** The reason of the accepted-changes entry that turned a failure into a warning. */
  readonly acceptedBecause?: string;
}

export interface SchemaCheckResult {
  readonly changes: readonly ClassifiedChange[];
  /** Lines that make the check fail. */
  readonly problems: readonly string[];
  readonly warnings: readonly string[];
  /** Each retained operation that no longer validates against the current schema, with the reasons. */
  readonly invalid: readonly { readonly operation: string; readonly errors: readonly string[] }[];
  /** The human report (what the CLI prints). */
  readonly report: string;
  readonly exitCode: 0 | 1;
}

interface OperationUnderCheck {
  readonly label: string;
  readonly used: ReadonlySet<string>;
  readonly errors: readonly GraphQLError[];
}

const LEVELS: Record<CriticalityLevel, ChangeLevel> = {
  [CriticalityLevel.Breaking]: 'breaking',
  [CriticalityLevel.Dangerous]: 'dangerous',
  [CriticalityLevel.NonBreaking]: 'safe',
};

/** The same body retained by several manifests is checked once and named with all its sources. */
function groupByBody(operations: readonly RetainedOperation[]): { name: string; body: string; sources: string[] }[] {
  const byBody = new Map<string, { name: string; body: string; sources: string[] }>();
  for (const op of operations) {
    const entry = byBody.get(op.body) ?? { name: op.name, body: op.body, sources: [] };
    if (!entry.sources.includes(op.source)) entry.sources.push(op.source);
    byBody.set(op.body, entry);
  }
  return [...byBody.values()];
}

function prepare(operations: readonly RetainedOperation[], baseline: GraphQLSchema, current: GraphQLSchema): OperationUnderCheck[] {
  return groupByBody(operations).map(({ name, body, sources }) => {
    const label = `${name} (${sources.join(', ')})`;
    let document: DocumentNode;
    try {
      document = parse(body);
    } catch (error) {
      return { label, used: new Set<string>(), errors: [error instanceof GraphQLError ? error : new GraphQLError(String(error))] };
    }
    return { label, used: usedCoordinates(baseline, document), errors: validate(current, document) };
  });
}

function verdictOf(level: ChangeLevel, touched: number): ChangeVerdict {
  if (level === 'breaking') return touched > 0 ? 'fail' : 'warn';
  if (level === 'dangerous' && touched > 0) return 'warn';
  return 'pass';
}

function classify(change: Change, ops: readonly OperationUnderCheck[], schemas: readonly GraphQLSchema[], accepted: readonly AcceptedChange[]): ClassifiedChange {
  const level = LEVELS[change.criticality.level];
  const operations = ops.filter((op) => changeTouches(change, op.used, schemas)).map((op) => op.label);
  const classified = { level, type: change.type, message: change.message, path: change.path, operations, verdict: verdictOf(level, operations.length) };
  const acceptance = classified.verdict === 'fail' ? accepted.find((a) => a.type === change.type && a.path === change.path) : undefined;
  return acceptance ? { ...classified, verdict: 'warn', acceptedBecause: acceptance.reason } : classified;
}

function render(
  changes: readonly ClassifiedChange[],
  problems: readonly string[],
  warnings: readonly string[],
  invalid: SchemaCheckResult['invalid'],
  opCount: number,
): string {
  const lines: string[] = [];
  const mark: Record<ChangeVerdict, string> = { fail: 'FAIL', warn: 'WARN', pass: 'ok  ' };
  lines.push(`schema:check: ${changes.length} change(s) since the released schema; ${opCount} retained operation(s) checked.`);
  for (const change of changes) {
    const users = change.operations.length > 0 ? ` — used by ${change.operations.join('; ')}` : '';
    lines.push(`  ${mark[change.verdict]} ${change.level.padEnd(9)} ${change.message}${users}`);
  }
  for (const { operation, errors } of invalid) for (const error of errors) lines.push(`  ${operation}: ${error}`);
  for (const warning of warnings) lines.push(`warning: ${warning}`);
  for (const problem of problems) lines.push(`error: ${problem}`);
  lines.push(problems.length > 0 ? `schema:check failed: ${problems.length} problem(s).` : 'schema:check passed.');
  return lines.join('\n');
}

export async function runSchemaCheck(options: SchemaCheckOptions): Promise<SchemaCheckResult> {
  const baseline = buildSchema(options.baselineSdl);
  const current = buildSchema(options.currentSdl);
  const ops = prepare(options.operations, baseline, current);
  const accepted = options.accepted ?? [];
  const changes = (await diff(baseline, current)).map((change) => classify(change, ops, [baseline, current], accepted));

  const problems: string[] = [];
  const warnings: string[] = [];
  for (const change of changes) {
    if (change.verdict === 'fail') problems.push(`breaking change "${change.message}" breaks ${change.operations.join('; ')}`);
    else if (change.acceptedBecause !== undefined) warnings.push(`accepted breaking change "${change.message}" touches ${change.operations.join('; ')}: ${change.acceptedBecause}`);
    else if (change.verdict === 'warn' && change.level === 'breaking') warnings.push(`breaking change "${change.message}": no retained operation uses it`);
    else if (change.verdict === 'warn') warnings.push(`dangerous change "${change.message}" touches ${change.operations.join('; ')}`);
  }
  // An acceptance that matches nothing is left over from a released schema (or mistyped): say so.
  for (const a of accepted) {
    if (!changes.some((c) => c.type === a.type && c.path === a.path)) warnings.push(`accepted change ${a.type} at ${a.path} matches no change since the released schema; remove it`);
  }
  // Validation against the new schema is the ground truth: an operation that no longer validates
  // fails the check even when no change above names it.
  const named = new Set(changes.filter((c) => c.verdict === 'fail').flatMap((c) => c.operations));
  const invalid = ops.filter((op) => op.errors.length > 0).map((op) => ({ operation: op.label, errors: op.errors.map((e) => e.message) }));
  for (const { operation, errors } of invalid) {
    if (!named.has(operation)) problems.push(`${operation} no longer validates: ${errors.join(' ')}`);
  }
  const report = render(changes, problems, warnings, invalid, ops.length);
  return { changes, problems, warnings, invalid, report, exitCode: problems.length > 0 ? 1 : 0 };
}
