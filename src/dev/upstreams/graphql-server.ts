// The shared body of the simulated GraphQL providers: POST /graphql behind a static bearer token,
// each distinct document parsed and validated once, then executed synchronously (fast for the bench).
// With `memoizeAnswers` (the bench) a successful answer is kept, serialised, per document, operation
// name and variables: the providers' data are read-only fixtures, so the same request always has the
// same answer. Why: at ~540 order pages/s the bench's provider core ran at ~75 %, 43 % of it in
// graphql-js executing these two providers, so a "2 ms" provider answered in a latency that grew with
// the load, and the gateway under test sat idle waiting for it. Faults, latency and the request log
// apply before the memo, exactly as without it.
import { buildSchema, executeSync, parse, validate, GraphQLError, type DocumentNode, type GraphQLSchema } from 'graphql';
import { isRecord } from './body';
import { ProviderServer, type ProviderReply, type ProviderRequest, type ProviderServerOptions } from './server';

export const GRAPHQL_PATH = '/graphql';

export interface GraphQLProviderConfig {
  readonly schema: GraphQLSchema;
  /** Root field resolvers (graphql-js default resolver calls them with the coerced args). */
  readonly rootValue: Readonly<Record<string, unknown>>;
  /** The bearer token the provider demands. */
  readonly token: string;
}

/** Distinct documents kept; the cache is dropped when full, which only costs re-parsing. */
const MAX_CACHED_DOCUMENTS = 500;
/** Distinct answers kept with `memoizeAnswers`; dropped when full, which only costs re-executing. */
const MAX_MEMOIZED_ANSWERS = 2_000;

export interface GraphQLProviderOptions extends ProviderServerOptions {
  /** Keep each successful answer and send it again for the same request (the data are fixtures). @default false */
  readonly memoizeAnswers?: boolean;
}

/** Provider error codes are the provider's own vocabulary (Apollo-style), not the gateway's. */
function graphqlErrors(code: string, message: string): unknown {
  return { errors: [{ message, extensions: { code } }] };
}

export abstract class GraphQLProviderServer extends ProviderServer {
  readonly #config: GraphQLProviderConfig;
  readonly #documents = new Map<string, DocumentNode | readonly GraphQLError[]>();
  readonly #answers: Map<string, ProviderReply> | undefined;
  #schema: GraphQLSchema;

  protected constructor(name: string, options: GraphQLProviderOptions, config: GraphQLProviderConfig) {
    super(name, options);
    this.#config = config;
    this.#schema = config.schema;
    this.#answers = options.memoizeAnswers === true ? new Map() : undefined;
  }

  /**
   * Serves `sdl` instead of the provider's own schema (validation, execution and introspection), or
   * its own again with undefined: a provider that dropped or re-typed a field (`npm run providers:check`).
   */
  driftSchema(sdl: string | undefined): void {
    this.#schema = sdl === undefined ? this.#config.schema : buildSchema(sdl);
    this.#documents.clear();
    this.#answers?.clear();
  }

  protected override errorBody(code: string, message: string): unknown {
    return graphqlErrors(code, message);
  }

  protected override route(request: ProviderRequest): ProviderReply {
    if (request.path !== GRAPHQL_PATH) return { status: 404, body: graphqlErrors('NOT_FOUND', 'Not found') };
    if (request.method !== 'POST') return { status: 405, headers: { allow: 'POST' }, body: graphqlErrors('METHOD_NOT_ALLOWED', 'Use POST') };
    if (request.headers.authorization !== `Bearer ${this.#config.token}`) {
      return { status: 401, headers: { 'www-authenticate': 'Bearer' }, body: graphqlErrors('UNAUTHENTICATED', 'Missing or invalid bearer token') };
    }
    const body = request.body;
    if (!isRecord(body) || typeof body.query !== 'string') return { status: 400, body: graphqlErrors('BAD_REQUEST', 'Body must have a query string') };
    const { variables, operationName } = body;
    if (variables != null && !isRecord(variables)) return { status: 400, body: graphqlErrors('BAD_REQUEST', 'variables must be an object') };
    if (operationName != null && typeof operationName !== 'string') return { status: 400, body: graphqlErrors('BAD_REQUEST', 'operationName must be a string') };
    const document = this.#document(body.query);
    if (!('kind' in document)) return { status: 400, body: { errors: document } };
    const key = this.#answers === undefined ? undefined : `${operationName ?? ''}\n${JSON.stringify(variables ?? null)}\n${body.query}`;
    const memoized = key === undefined ? undefined : this.#answers?.get(key);
    if (memoized !== undefined) return memoized;
    const result = executeSync({
      schema: this.#schema,
      document,
      rootValue: this.#config.rootValue,
      variableValues: variables ?? undefined,
      operationName: operationName ?? undefined,
    });
    if (key === undefined || this.#answers === undefined || result.errors !== undefined) return { status: 200, body: result };
    const reply: ProviderReply = { status: 200, rawBody: JSON.stringify(result) };
    if (this.#answers.size >= MAX_MEMOIZED_ANSWERS) this.#answers.clear();
    this.#answers.set(key, reply);
    return reply;
  }

  #document(query: string): DocumentNode | readonly GraphQLError[] {
    const cached = this.#documents.get(query);
    if (cached) return cached;
    let outcome: DocumentNode | readonly GraphQLError[];
    try {
      const document = parse(query);
      const errors = validate(this.#schema, document);
      outcome = errors.length > 0 ? errors : document;
    } catch (error) {
      outcome = [error instanceof GraphQLError ? error : new GraphQLError('Syntax error')];
    }
    if (this.#documents.size >= MAX_CACHED_DOCUMENTS) this.#documents.clear();
    this.#documents.set(query, outcome);
    return outcome;
  }
}
