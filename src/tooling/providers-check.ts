// The contract check (`npm run providers:check`): each provider's probes run through its resilient
// HTTP client (the runtime's auth, timeouts, retries and throttles), each answer compared with the
// runtime's wire schema; for a GraphQL provider, every document the gateway sends it validated against
// its schema first. A report per provider and per call: ok, drift (with findings) or error.
import { readFile } from 'node:fs/promises';
import type { GraphQLSchema } from 'graphql';
import { isAppError } from '../errors/app-error';
import type { CallContext, ProviderHttpClient, UpstreamResponse } from '../http/types';
import type { ContractProbe, ProbeSamples, ProviderContract } from '../providers/contract';
import { postGraphQL } from '../providers/graphql-call';
import { describe as describeValue, driftOf, type Finding } from './contract-drift';
import { documentDrift, INTROSPECTION_QUERY, schemaFromIntrospection, schemaFromSdl } from './graphql-contract';

export type CheckStatus = 'ok' | 'drift' | 'error';

export interface CallReport {
  /** `GET /products?ids`, `POST /graphql Users`, `document Users`, `schema`. */
  readonly call: string;
  readonly status: CheckStatus;
  readonly findings: readonly Finding[];
  /** Why the call could not be checked (status `error`). */
  readonly error?: string;
}

export interface ProviderReport {
  readonly provider: string;
  readonly status: CheckStatus;
  /** GraphQL providers: where their schema came from. */
  readonly schemaSource?: 'introspection' | 'sdl-file';
  readonly calls: readonly CallReport[];
}

export interface ProvidersCheckReport {
  /** `drift` when any call drifted, else `error` when any could not be checked, else `ok`. */
  readonly status: CheckStatus;
  readonly providers: readonly ProviderReport[];
  /** Calls made to the providers (probes and introspections; not the OAuth token requests). */
  readonly requests: number;
}

export interface CheckedProvider {
  readonly name: string;
  readonly contract: ProviderContract;
  readonly http: ProviderHttpClient;
}

export interface ProvidersCheckOptions {
  readonly providers: readonly CheckedProvider[];
  /** Replacement sample ids, by provider then name (`{ orders: { orderId: 'o-123' } }`). @default the contracts' own */
  readonly samples?: Readonly<Record<string, ProbeSamples>>;
  /** A directory of recorded SDL files (`<provider>.graphql`) read instead of introspecting. @default introspection */
  readonly sdlDir?: string | undefined;
  /** Budget of each call, retries included. @default 10_000 */
  readonly timeoutMs?: number;
  /** @default Date.now */
  readonly now?: () => number;
}

/** The overall status of several: drift outranks error, error outranks ok. */
export function worst(statuses: readonly CheckStatus[]): CheckStatus {
  if (statuses.includes('drift')) return 'drift';
  return statuses.includes('error') ? 'error' : 'ok';
}

function statusOf(findings: readonly Finding[]): CheckStatus {
  return findings.some((f) => f.severity === 'drift') ? 'drift' : 'ok';
}

function errorText(error: unknown): string {
  if (isAppError(error)) {
    const status = typeof error.meta.status === 'number' ? ` (HTTP ${error.meta.status})` : '';
    return `${error.code}${status}: ${error.message}`;
  }
  return error instanceof Error ? error.message : String(error);
}

/** Codes servers put on an error that refuses the document itself (Apollo Server's, GraphQL Yoga's). */
const DOCUMENT_ERROR_CODES: ReadonlySet<string> = new Set(['GRAPHQL_VALIDATION_FAILED', 'GRAPHQL_PARSE_FAILED']);

interface GraphQLErrors {
  /** Errors refusing the document (it no longer parses or validates there): the contract drifted. */
  readonly drift: Finding[];
  /** Errors of a run of a valid document (a resolver failing, a coded refusal such as UNAUTHENTICATED): transient, `error`. */
  readonly failed: string[];
}

/**
 * The GraphQL `errors` of an answer, sorted by what they say. A document refusal is a request error
 * (no `data`, no `path`; graphql-js's validation errors carry no code) or one coded as a validation
 * or parse failure; any other error says nothing about the contract (the documents are validated
 * against the provider's schema separately), so the call is an error, not drift.
 */
function graphqlErrors(body: unknown): GraphQLErrors {
  const record = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const errors = Array.isArray(record['errors']) ? (record['errors'] as unknown[]) : [];
  const executed = record['data'] !== undefined;
  const out: GraphQLErrors = { drift: [], failed: [] };
  for (const error of errors.slice(0, 10)) {
    const fields = typeof error === 'object' && error !== null ? (error as Record<string, unknown>) : {};
    const message = typeof fields['message'] === 'string' ? fields['message'].slice(0, 300) : describeValue(error);
    const extensions = fields['extensions'];
    const code = typeof extensions === 'object' && extensions !== null ? (extensions as Record<string, unknown>)['code'] : undefined;
    const refusal = typeof code === 'string' ? DOCUMENT_ERROR_CODES.has(code) : !executed && fields['path'] === undefined;
    if (!refusal) {
      out.failed.push(typeof code === 'string' ? `${code.slice(0, 64)}: ${message}` : message);
      continue;
    }
    // Bounded: a provider's path could be as long as it likes.
    const path = Array.isArray(fields['path']) ? fields['path'].slice(0, 32).map(String).join('.').slice(0, 300) : '(answer)';
    out.drift.push({ severity: 'drift', kind: 'graphql-error', path, expected: 'no errors', found: message, count: 1 });
  }
  return out;
}

function dataOf(body: unknown): unknown {
  return typeof body === 'object' && body !== null && 'data' in body ? body.data : undefined;
}

class ProbeRun {
  requests = 0;
  readonly #options: ProvidersCheckOptions;

  constructor(options: ProvidersCheckOptions) {
    this.#options = options;
  }

  context(): CallContext {
    const now = this.#options.now ?? Date.now;
    return { requestId: `providers-check-${now().toString(36)}`, deadlineAt: now() + (this.#options.timeoutMs ?? 10_000) };
  }

  async call(send: (ctx: CallContext) => Promise<UpstreamResponse>): Promise<UpstreamResponse> {
    this.requests += 1;
    return send(this.context());
  }

  async provider({ name, contract, http }: CheckedProvider): Promise<ProviderReport> {
    const samples = { ...contract.samples, ...this.#options.samples?.[name] };
    const calls: CallReport[] = [];
    let schemaSource: ProviderReport['schemaSource'];
    const documents = contract.documents ?? {};
    if (Object.keys(documents).length > 0) {
      schemaSource = this.#options.sdlDir === undefined ? 'introspection' : 'sdl-file';
      const schema = await this.schema(name, http).catch((error: unknown) => {
        calls.push({ call: schemaSource === 'introspection' ? 'schema (introspection)' : `schema (${name}.graphql)`, status: 'error', findings: [], error: errorText(error) });
        return undefined;
      });
      if (schema) for (const [operation, document] of Object.entries(documents)) calls.push(this.document(operation, schema, document));
    }
    for (const probe of contract.probes) calls.push(await this.probe(probe, documents, samples, http));
    return { provider: name, status: worst(calls.map((c) => c.status)), ...(schemaSource ? { schemaSource } : {}), calls };
  }

  async schema(name: string, http: ProviderHttpClient): Promise<GraphQLSchema> {
    const dir = this.#options.sdlDir;
    if (dir !== undefined) return schemaFromSdl(await readFile(`${dir}/${name}.graphql`, 'utf8'));
    const response = await this.call((ctx) => postGraphQL(http, { query: INTROSPECTION_QUERY, variables: {}, route: '/graphql introspection' }, ctx));
    const { drift, failed } = graphqlErrors(response.body);
    const reason = drift[0]?.found ?? failed[0];
    if (response.status !== 200 || reason !== undefined) {
      throw new Error(`introspection refused (HTTP ${response.status}${reason === undefined ? '' : `: ${reason}`}); record the provider's SDL and pass --sdl <dir>`);
    }
    return schemaFromIntrospection(dataOf(response.body));
  }

  document(operation: string, schema: GraphQLSchema, document: string): CallReport {
    const findings = documentDrift(schema, document);
    return { call: `document ${operation}`, status: statusOf(findings), findings };
  }

  async probe(probe: ContractProbe, documents: Readonly<Record<string, string>>, samples: ProbeSamples, http: ProviderHttpClient): Promise<CallReport> {
    if (probe.kind === 'rest') {
      const request = probe.request(samples);
      const call = `GET ${request.route}`;
      try {
        const response = await this.call((ctx) => http.request(request, ctx));
        if (response.status !== 200) return { call, status: 'error', findings: [], error: `HTTP ${response.status}${response.status === 404 ? ': does the sample exist on this provider? (--sample)' : ''}` };
        const findings = driftOf(probe.schema, response.body);
        return { call, status: statusOf(findings), findings };
      } catch (error) {
        return { call, status: 'error', findings: [], error: errorText(error) };
      }
    }
    const call = `POST /graphql ${probe.operation}`;
    const document = documents[probe.operation];
    if (document === undefined) return { call, status: 'error', findings: [], error: `no document named ${probe.operation} in the contract` };
    try {
      const response = await this.call((ctx) => postGraphQL(http, { query: document, variables: probe.variables(samples), route: `/graphql ${probe.operation}` }, ctx));
      // A document refused (HTTP 200 or 400, by GraphQL over HTTP) is drift; any other status, or errors of a valid document's run, are errors.
      const { drift, failed } = graphqlErrors(response.body);
      if (drift.length > 0 && (response.status === 200 || response.status === 400)) return { call, status: 'drift', findings: drift };
      if (response.status !== 200) return { call, status: 'error', findings: [], error: `HTTP ${response.status}` };
      if (failed.length > 0) return { call, status: 'error', findings: [], error: `provider error: ${failed.join('; ')}` };
      const findings = driftOf(probe.schema, dataOf(response.body));
      return { call, status: statusOf(findings), findings };
    } catch (error) {
      return { call, status: 'error', findings: [], error: errorText(error) };
    }
  }
}

/** Runs every provider's probes (providers side by side, each one's calls in turn) and reports. */
export async function runProvidersCheck(options: ProvidersCheckOptions): Promise<ProvidersCheckReport> {
  const run = new ProbeRun(options);
  const providers = await Promise.all(options.providers.map((provider) => run.provider(provider)));
  return { status: worst(providers.map((p) => p.status)), providers, requests: run.requests };
}
