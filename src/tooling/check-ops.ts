// ops:check in-process: every operation of the .graphql sources and of every retained manifest,
// validated against the current schema and judged by the server's own limits and cost functions
// (check-operation.ts), with the scopes a caller needs for it; and the schema's authorization
// directives, which may name only known scopes. Problems are reported compiler-style
// (`file:line:column message [CODE]`).
import {
  buildSchema,
  getLocation,
  GraphQLError,
  Kind,
  NoUnusedFragmentsRule,
  parse,
  print,
  Source,
  specifiedRules,
  validate,
  visit,
  type DefinitionNode,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { requirementOfDocument } from '../auth/operation-requirement';
import { formatRequirement, readAuthRules, type AuthRules, type AuthSchemaProblem } from '../auth/requirements';
import { checkOperationText } from '../operations/check-operation';
import { placeholderVariables } from './check-ops-variables';
import type { ManifestText } from './check-sources';
import type { CostDefaults } from '../operations/cost';
import { addTypenameToDocument, persistedBodyOf, type OperationText } from '../operations/extract-operations';
import { DEFAULT_OPERATION_LIMITS, type LimitViolation, type OperationLimits } from '../operations/limits';
import { ManifestError, parseManifestText } from '../operations/manifest';

export interface OpsCheckOptions {
  /** The current schema (SDL, as codegen joins schema/*.graphql). */
  readonly schemaSdl: string;
  /** The files schemaSdl was joined from (check-sources.ts readSchemaFiles), to place schema problems in them. @default none: placed in `schema` at their line of schemaSdl */
  readonly schemaFiles?: readonly OperationText[];
  /** The operation sources (persisted-queries/operations/*.graphql). */
  readonly sources: readonly OperationText[];
  /** manifest.json and every retained released manifest, as text (see check-sources.ts). */
  readonly manifests: readonly ManifestText[];
  /** @default DEFAULT_OPERATION_LIMITS (what the server enforces) */
  readonly limits?: OperationLimits;
  /** @default DEFAULT_COST (what the server estimates with) */
  readonly costDefaults?: Partial<CostDefaults>;
}

export interface OpsCheckProblem {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly message: string;
  /** The error-contract code the server would answer with; for a problem of the schema itself, its kind (`UNKNOWN_SCOPE`). */
  readonly code: string;
}

export interface OpsCheckRow {
  readonly operation: string;
  /** Every file that carries this exact body. */
  readonly sources: readonly string[];
  readonly depth: number | null;
  readonly cost: number | null;
  /** What the caller's token needs for every guarded field it selects (`orders:read`, `a+b | c`, `authenticated`, `-` for nothing). */
  readonly scopes: string;
  /** `ok`, or the codes of its problems. */
  readonly status: string;
}

export interface OpsCheckResult {
  readonly problems: readonly OpsCheckProblem[];
  readonly table: readonly OpsCheckRow[];
  /** Problems then the summary table, as the CLI prints them. */
  readonly report: string;
  readonly exitCode: 0 | 1;
}

const VALIDATION = 'GRAPHQL_VALIDATION_FAILED';

interface Judged {
  readonly name: string;
  readonly body: string;
  readonly source: string;
  readonly depth: number | null;
  readonly cost: number | null;
  readonly scopes: string;
  readonly codes: readonly string[];
}

function problemsOf(error: GraphQLError, fallbackFile: string, code: string): OpsCheckProblem[] {
  const message = error.message;
  const nodes = error.nodes?.filter((n) => n.loc) ?? [];
  if (nodes.length > 0) {
    const first = nodes[0]?.loc;
    if (first) {
      const { line, column } = getLocation(first.source, first.start);
      return [{ file: first.source.name, line, column, message, code }];
    }
  }
  const location = error.locations?.[0];
  return [{ file: error.source?.name ?? fallbackFile, line: location?.line ?? 1, column: location?.column ?? 1, message, code }];
}

function describe(name: string, v: LimitViolation): string {
  const over = `over the limit of ${v.max}`;
  switch (v.limit) {
    case 'depth':
      return `Operation "${name}" is ${v.actual} levels deep, ${over}.`;
    case 'aliases':
      return `Operation "${name}" has ${v.actual} aliases, ${over}.`;
    case 'rootFields':
      return `Operation "${name}" selects ${v.actual} root fields, ${over}.`;
    case 'directives':
      return `Operation "${name}" applies ${v.actual} directives, ${over}.`;
    case 'tokens':
      return `Operation "${name}" has more tokens than the limit of ${v.max}.`;
    case 'documentBytes':
      return `Operation "${name}" is ${v.actual} bytes, ${over}.`;
    case 'cost':
      return v.actual === null
        ? `Operation "${name}" is too large to estimate its cost (limit ${v.max}).`
        : `Operation "${name}" has an estimated cost of ${v.actual}, ${over}.`;
  }
}

/** Runs the server's limit checks on a body; problems are placed at `at`. */
function judgeLimits(
  schema: GraphQLSchema,
  op: { name: string; body: string; source: string; at: { file: string; line: number; column: number } },
  options: OpsCheckOptions & { readonly rules: AuthRules },
  problems: OpsCheckProblem[],
  validationCodes: readonly string[],
): Judged {
  if (validationCodes.length > 0) return { ...op, depth: null, cost: null, scopes: '-', codes: validationCodes };
  const document = parse(op.body, { noLocation: true });
  const scopes = formatRequirement(requirementOfDocument(schema, document, options.rules));
  const operation = document.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  const variables = operation ? placeholderVariables(schema, operation, options.costDefaults?.listSize) : {};
  const limits = options.limits ?? DEFAULT_OPERATION_LIMITS;
  const check = checkOperationText(schema, op.body, limits, { operationName: op.name, variables, ...(options.costDefaults ? { costDefaults: options.costDefaults } : {}) });
  for (const violation of check.violations) problems.push({ ...op.at, message: describe(op.name, violation), code: violation.code });
  return { ...op, depth: check.shape?.depth ?? null, cost: check.cost, scopes, codes: check.violations.map((v) => v.code) };
}

function spreads(node: DefinitionNode): string[] {
  const names: string[] = [];
  visit(node, { FragmentSpread: (s) => void names.push(s.name.value) });
  return names;
}

/** The operation with every fragment it uses (transitively, sorted by name), keeping source locations. */
function withFragments(operation: OperationDefinitionNode, fragments: ReadonlyMap<string, FragmentDefinitionNode>): DocumentNode {
  const used = new Set<string>();
  const pending = spreads(operation);
  for (let name = pending.pop(); name !== undefined; name = pending.pop()) {
    const fragment = fragments.get(name);
    if (used.has(name) || !fragment) continue;
    used.add(name);
    pending.push(...spreads(fragment));
  }
  const definitions = [...used].sort().flatMap((name) => fragments.get(name) ?? []);
  return { kind: Kind.DOCUMENT, definitions: [operation, ...definitions] };
}

function checkSources(schema: GraphQLSchema, options: OpsCheckOptions & { readonly rules: AuthRules }, problems: OpsCheckProblem[]): Judged[] {
  const operations: { node: OperationDefinitionNode; file: string }[] = [];
  const fragments = new Map<string, FragmentDefinitionNode>();
  const seen = new Map<string, string>();
  for (const { file, source } of options.sources) {
    let document: DocumentNode;
    try {
      document = parse(new Source(source, file));
    } catch (error) {
      if (error instanceof GraphQLError) problems.push(...problemsOf(error, file, 'GRAPHQL_PARSE_FAILED'));
      continue;
    }
    for (const definition of document.definitions) {
      const fail = (message: string) => problems.push(...problemsOf(new GraphQLError(message, { nodes: definition }), file, VALIDATION));
      if (definition.kind !== Kind.OPERATION_DEFINITION && definition.kind !== Kind.FRAGMENT_DEFINITION) {
        fail('Only operations and fragments belong in operation files.');
        continue;
      }
      if (definition.kind === Kind.OPERATION_DEFINITION && !definition.name) {
        fail('Every persisted operation needs a name.');
        continue;
      }
      const key = `${definition.kind === Kind.FRAGMENT_DEFINITION ? 'fragment' : 'operation'} "${definition.name?.value}"`;
      const other = seen.get(key);
      if (other) {
        fail(`There can be only one ${key}; another is in ${other}.`);
        continue;
      }
      seen.set(key, file);
      if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
      else operations.push({ node: definition, file });
    }
  }

  const usedFragments = new Set<string>();
  const judged = operations.map(({ node, file }) => {
    const document = withFragments(node, fragments);
    for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) usedFragments.add(d.name.value);
    const errors = validate(schema, document);
    for (const error of errors) problems.push(...problemsOf(error, file, VALIDATION));
    const at = { file, ...getLocation(node.loc?.source ?? new Source('', file), node.loc?.start ?? 0) };
    const name = node.name?.value ?? '';
    const body = print(addTypenameToDocument(document));
    return judgeLimits(schema, { name, body, source: file, at }, options, problems, errors.length > 0 ? [VALIDATION] : []);
  });
  // A fragment no operation uses still has to be valid: the next operation to spread it would fail.
  const alone = specifiedRules.filter((rule) => rule !== NoUnusedFragmentsRule);
  for (const [name, fragment] of fragments) {
    if (usedFragments.has(name)) continue;
    for (const error of validate(schema, { kind: Kind.DOCUMENT, definitions: [fragment] }, alone)) problems.push(...problemsOf(error, '', VALIDATION));
  }
  return judged;
}

function checkManifests(schema: GraphQLSchema, options: OpsCheckOptions & { readonly rules: AuthRules }, problems: OpsCheckProblem[]): Judged[] {
  const judged: Judged[] = [];
  for (const { source, text } of options.manifests) {
    let operations;
    try {
      operations = parseManifestText(text, source).operations;
    } catch (error) {
      const message = error instanceof Error ? error.message.replace(`${source}: `, '') : String(error);
      const code = error instanceof ManifestError && message.includes('hashes to') ? 'PERSISTED_QUERY_HASH_MISMATCH' : 'BAD_REQUEST';
      problems.push({ file: source, line: 1, column: 1, message, code });
      continue;
    }
    for (const op of operations) {
      const where = `${source}#${op.name}`;
      let document: DocumentNode;
      try {
        document = parse(new Source(op.body, where));
      } catch (error) {
        if (error instanceof GraphQLError) problems.push(...problemsOf(error, where, 'GRAPHQL_PARSE_FAILED'));
        judged.push({ name: op.name, body: op.body, source, depth: null, cost: null, scopes: '-', codes: ['GRAPHQL_PARSE_FAILED'] });
        continue;
      }
      const errors = validate(schema, document);
      for (const error of errors) problems.push(...problemsOf(error, where, VALIDATION));
      const at = { file: where, line: 1, column: 1 };
      judged.push(judgeLimits(schema, { name: op.name, body: op.body, source, at }, options, problems, errors.length > 0 ? [VALIDATION] : []));
    }
  }
  return judged;
}

/** A body as the manifest prints it (src/operations/extract-operations.ts), so that one document printed two ways is one row. */
function canonicalBody(body: string): string {
  try {
    return persistedBodyOf(parse(body, { noLocation: true }));
  } catch {
    return body;
  }
}

/** One row per distinct document, naming every file that carries it (however printed). */
function tableOf(judged: readonly Judged[]): OpsCheckRow[] {
  const rows = new Map<string, { operation: string; sources: string[]; depth: number | null; cost: number | null; scopes: string; codes: Set<string> }>();
  for (const j of judged) {
    const key = `${j.name}\n${canonicalBody(j.body)}`;
    const row = rows.get(key) ?? { operation: j.name, sources: [], depth: j.depth, cost: j.cost, scopes: j.scopes, codes: new Set<string>() };
    if (!row.sources.includes(j.source)) row.sources.push(j.source);
    j.codes.forEach((c) => row.codes.add(c));
    rows.set(key, row);
  }
  return [...rows.values()]
    .sort((a, b) => a.operation.localeCompare(b.operation) || a.sources.join().localeCompare(b.sources.join()))
    .map(({ codes, ...row }) => ({ ...row, status: codes.size === 0 ? 'ok' : [...codes].join(', ') }));
}

function render(problems: readonly OpsCheckProblem[], table: readonly OpsCheckRow[], limits: OperationLimits): string {
  const lines = problems.map((p) => `${p.file}:${p.line}:${p.column} ${p.message} [${p.code}]`);
  if (lines.length > 0) lines.push('');
  const short = (source: string) => source.replace(/^.*\//, '');
  const cells = [
    ['operation', 'sources', 'depth', 'cost', 'scopes', 'status'],
    ...table.map((r) => [r.operation, r.sources.map(short).join(', '), String(r.depth ?? '-'), String(r.cost ?? '-'), r.scopes, r.status]),
  ];
  const widths = cells[0]?.map((_, i) => Math.max(...cells.map((row) => row[i]?.length ?? 0))) ?? [];
  for (const row of cells) lines.push(row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  '));
  lines.push('');
  lines.push(`limits: depth ${limits.maxDepth}, cost ${limits.maxCost}, aliases ${limits.maxAliases}, root fields ${limits.maxRootFields}, tokens ${limits.maxTokens}`);
  lines.push('scopes: a+b needs both, a | b either; authenticated: a bearer token, whatever its scopes; -: none');
  lines.push(problems.length > 0 ? `ops:check failed: ${problems.length} problem(s) in ${table.length} operation(s).` : `ops:check passed: ${table.length} operation(s).`);
  return lines.join('\n');
}

function dedupe(problems: readonly OpsCheckProblem[]): OpsCheckProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.file}:${p.line}:${p.column} ${p.message} ${p.code}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Where a directive of the joined SDL was written: its file (when known), line and column. */
function schemaProblem(problem: AuthSchemaProblem, options: OpsCheckOptions): OpsCheckProblem {
  const at = { message: problem.message, code: problem.code };
  const loc = problem.node?.loc;
  if (!loc) return { file: 'schema', line: 1, column: 1, ...at };
  let start = 0;
  for (const { file, source } of options.schemaFiles ?? []) {
    // The files are joined with one newline each (check-sources.ts joinSchemaFiles).
    if (loc.start < start + source.length) return { file, ...getLocation(new Source(source, file), loc.start - start), ...at };
    start += source.length + 1;
  }
  return { file: 'schema', ...getLocation(loc.source, loc.start), ...at };
}

export function runOpsCheck(options: OpsCheckOptions): OpsCheckResult {
  const schema = buildSchema(options.schemaSdl);
  const rules = readAuthRules(schema);
  const found: OpsCheckProblem[] = rules.problems.map((p) => schemaProblem(p, options));
  const judged = [...checkSources(schema, { ...options, rules }, found), ...checkManifests(schema, { ...options, rules }, found)];
  const problems = dedupe(found);
  const table = tableOf(judged);
  const report = render(problems, table, options.limits ?? DEFAULT_OPERATION_LIMITS);
  return { problems, table, report, exitCode: problems.length > 0 ? 1 : 0 };
}
