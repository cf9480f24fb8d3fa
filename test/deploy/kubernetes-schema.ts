// Validation of Kubernetes manifests without a cluster: each document against its kind's schema
// (kubernetes-models: types, required fields, enums, formats), plus what those compiled validators do
// not check and `kubectl apply` does (strict field validation, the default since Kubernetes 1.27): an
// unknown or misspelt field. Fields are looked up in kubernetes-models' own type declarations with the
// TypeScript compiler, so both checks read the same API version.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { Deployment } from 'kubernetes-models/apps/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, Secret, Service } from 'kubernetes-models/v1';
import ts from 'typescript';

interface Validatable {
  validate(): void;
}

/** The kinds the deployment uses: apiVersion/kind → model class and its declaration. */
const KINDS: Record<string, { readonly model: new (data: never) => Validatable; readonly module: string; readonly type: string }> = {
  'v1/ConfigMap': { model: ConfigMap, module: 'kubernetes-models/v1/ConfigMap', type: 'IConfigMap' },
  'v1/Secret': { model: Secret, module: 'kubernetes-models/v1/Secret', type: 'ISecret' },
  'v1/Service': { model: Service, module: 'kubernetes-models/v1/Service', type: 'IService' },
  'apps/v1/Deployment': { model: Deployment, module: 'kubernetes-models/apps/v1/Deployment', type: 'IDeployment' },
  'policy/v1/PodDisruptionBudget': { model: PodDisruptionBudget, module: 'kubernetes-models/policy/v1/PodDisruptionBudget', type: 'IPodDisruptionBudget' },
  'autoscaling/v2/HorizontalPodAutoscaler': { model: HorizontalPodAutoscaler, module: 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler', type: 'IHorizontalPodAutoscaler' },
};

export const KNOWN_KINDS = Object.keys(KINDS);

let checker: { checker: ts.TypeChecker; kinds: Map<string, ts.Type> } | undefined;

/** One TypeScript program over the declarations of every kind (built once, ~1 s). */
function typeChecker(): { checker: ts.TypeChecker; kinds: Map<string, ts.Type> } {
  if (checker) return checker;
  const file = join(process.cwd(), 'test/deploy/__kubernetes-kinds__.ts');
  const source = Object.entries(KINDS)
    .map(([key, kind], i) => `import type { ${kind.type} as K${i} } from '${kind.module}';\nexport type T${i} = K${i}; // ${key}`)
    .join('\n');
  const options: ts.CompilerOptions = { module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler, target: ts.ScriptTarget.ES2022, strict: true, noEmit: true, skipLibCheck: true, types: [] };
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, version) => (name === file ? ts.createSourceFile(name, source, version) : getSourceFile(name, version));
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (name) => name === file || fileExists(name);
  host.readFile = (name) => (name === file ? source : readFileSync(name, 'utf8'));
  const program = ts.createProgram([file], options, host);
  const typeChecker = program.getTypeChecker();
  const sourceFile = program.getSourceFile(file);
  if (sourceFile === undefined) throw new Error('no source file');
  const kinds = new Map<string, ts.Type>();
  Object.keys(KINDS).forEach((key, i) => {
    const alias = sourceFile.statements.find((s): s is ts.TypeAliasDeclaration => ts.isTypeAliasDeclaration(s) && s.name.text === `T${i}`);
    if (alias === undefined) throw new Error(`no alias for ${key}`);
    const type = typeChecker.getTypeAtLocation(alias.name);
    if (type.getProperties().length === 0) throw new Error(`${key}: its declaration did not resolve (${KINDS[key]?.module})`);
    kinds.set(key, type);
  });
  checker = { checker: typeChecker, kinds };
  return checker;
}

function objectMembers(type: ts.Type): ts.Type[] {
  const parts = type.isUnion() ? type.types : [type];
  return parts.filter((t) => (t.flags & ts.TypeFlags.Object) !== 0 || (t.flags & ts.TypeFlags.Intersection) !== 0);
}

function unknownFieldsOf(value: unknown, type: ts.Type, path: string, tc: ts.TypeChecker, out: string[]): void {
  if (Array.isArray(value)) {
    for (const member of objectMembers(type)) {
      const element = tc.getIndexTypeOfType(member, ts.IndexKind.Number);
      if (element !== undefined) value.forEach((item, i) => unknownFieldsOf(item, element, `${path}[${i}]`, tc, out));
    }
    return;
  }
  if (value === null || typeof value !== 'object') return;
  const members = objectMembers(type);
  if (members.length === 0) return;
  for (const [key, child] of Object.entries(value)) {
    const property = members.map((m) => m.getProperty(key)).find((p) => p !== undefined);
    if (property !== undefined) {
      unknownFieldsOf(child, tc.getTypeOfSymbol(property), `${path}.${key}`, tc, out);
      continue;
    }
    const index = members.map((m) => tc.getIndexTypeOfType(m, ts.IndexKind.String)).find((t) => t !== undefined);
    if (index !== undefined) unknownFieldsOf(child, index, `${path}.${key}`, tc, out);
    else out.push(`${path}.${key}: unknown field`);
  }
}

export interface ManifestDocument {
  readonly apiVersion?: unknown;
  readonly kind?: unknown;
  readonly metadata?: { readonly name?: unknown };
}

/** Every problem of one document: no schema for its kind, schema violations, unknown fields. */
export function manifestProblems(document: ManifestDocument): string[] {
  const key = `${String(document.apiVersion)}/${String(document.kind)}`;
  const where = `${key} ${String(document.metadata?.name)}`;
  const kind = KINDS[key];
  if (kind === undefined) return [`${where}: no schema for ${key} (known: ${KNOWN_KINDS.join(', ')})`];
  const problems: string[] = [];
  try {
    new kind.model(document as never).validate();
  } catch (error) {
    problems.push(`${where}: ${(error as Error).message}`);
  }
  const { checker: tc, kinds } = typeChecker();
  const type = kinds.get(key);
  if (type !== undefined) {
    const unknown: string[] = [];
    unknownFieldsOf(document, type, '', tc, unknown);
    problems.push(...unknown.map((u) => `${where}: ${u}`));
  }
  return problems;
}
