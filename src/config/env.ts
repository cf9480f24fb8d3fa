// The only reader of process.env: validates the environment once, at boot, with a schema, and fails
// loudly naming the variable and what is expected. Everything else receives config as an argument.
import { z } from 'zod';
import { callerKeyProblems, parseAlgorithm } from './caller-keys';
import { parseCommaList, type ListEntry } from './comma-list';
import { parseCorsOrigin } from './cors-origins';
import { parseRedisNode } from './redis-nodes';
import { secret, url, type ProviderVariables } from './provider-variables';
import { parseTrustedProxy } from './trusted-proxies';

const positiveInt = z.coerce.number({ error: 'expected a number' }).int({ error: 'expected an integer' }).positive({ error: 'expected a positive integer' });
const nonNegativeInt = z.coerce.number({ error: 'expected a number' }).int({ error: 'expected an integer' }).min(0, { error: 'expected 0 or more' });
const flag = z.enum(['0', '1', 'true', 'false'], { error: 'expected 1/0/true/false' }).transform((v) => v === '1' || v === 'true');
/** A comma-separated variable: one issue per bad entry; `empty`, if given, refuses a list with no entry. */
const commaList = <T>(parseEntry: (entry: string) => ListEntry<T>, empty?: string) =>
  z.string().transform((text, ctx) => {
    const { values, problems } = parseCommaList(text, parseEntry);
    if (empty !== undefined && values.length === 0 && problems.length === 0) problems.push(empty);
    for (const problem of problems) ctx.addIssue({ code: 'custom', message: problem });
    return values;
  });

/** Defaults of the edge limits (LIMIT_*), shared with the ops:check CLI through src/operations/limits.ts. */
export const LIMIT_DEFAULTS = Object.freeze({
  maxDepth: 10,
  maxAliases: 15,
  maxRootFields: 10,
  maxDirectives: 50,
  maxTokens: 3000,
  maxDocumentBytes: 32_768,
  maxCost: 5000,
  maxBatchOperations: 10,
  maxRequestBodyBytes: 1_048_576,
  maxVariablesDepth: 32,
  maxVariablesValues: 10_000,
});

/** Defaults of the adaptive admission limit (ADMISSION_*), shared with src/plugins/admission-limit.ts; the reasons are there. */
export const ADMISSION_DEFAULTS = Object.freeze({
  minConcurrent: 64,
  maxConcurrent: 512,
  maxQueued: 1024,
  queueTimeoutMs: 2000,
  saturation: 0.97,
});

/** Defaults of the node:http server bounds (SERVER_*), shared with src/server/node-server.ts. */
export const SERVER_DEFAULTS = Object.freeze({
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  maxConnections: 10_000,
});

/** The gateway's own variables; each provider module adds its own (createEnvParser). */
export const gatewayEnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  /** Set by the demo launcher: the simulated providers and their dev secrets are acceptable. */
  DEMO: flag.default(false),
  PORT: positiveInt.default(4000),
  /** Unset: `info`, except `silent` under NODE_ENV=test (tests capture logs with an injected stream). */
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional(),
  /** Extra field names (comma-separated) whose values are redacted from every log line: customer PII. */
  LOG_REDACT_FIELDS: z.string().default('email,phone,address'),
  /** `failed`: log only upstream attempts that failed or were retries (the request line still counts them all). Unset: `failed` in production, else `all`. */
  LOG_UPSTREAM_ATTEMPTS: z.enum(['all', 'failed']).optional(),
  /** Separate listener serving only GET /metrics; unset = none (0 = an ephemeral port). */
  METRICS_PORT: nonNegativeInt.optional(),
  METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  /** Bearer token that opens /api/metrics on the main port; unset = that route answers 404. */
  METRICS_TOKEN: secret.optional(),
  /** OTLP/HTTP base endpoint (traces go to <endpoint>/v1/traces); unset = tracing off, no SDK loaded. */
  OTEL_EXPORTER_OTLP_ENDPOINT: url.optional(),
  OTEL_SERVICE_NAME: z.string().min(1).default('bff-gateway'),
  /** Request logs, metrics and spans of GraphQL traffic (0 = off, for baselines); error logs and probes stay. */
  OBSERVABILITY: flag.default(true),

  /** HS256 secret of callers' tokens (development and tests); exactly one of it and JWT_JWKS_URL is required (caller-keys.ts). */
  JWT_SECRET: z.string().min(32, { error: 'expected an HS256 secret of at least 32 characters' }).optional(),
  /** The identity provider's JSON Web Key Set: callers' tokens are verified with its public keys. */
  JWT_JWKS_URL: url.optional(),
  /** Accepted `alg` of callers' tokens (comma-separated); unset: RS256,ES256 with a JWKS, HS256 with a secret. */
  JWT_ALGORITHMS: commaList(parseAlgorithm, 'expected at least one algorithm').optional(),
  JWT_ISSUER: z.string().min(1).default('bff-dev'),
  JWT_AUDIENCE: z.string().min(1).default('bff-gateway'),
  /** Clock skew accepted on `exp`, `nbf` and `iat`, in seconds. */
  JWT_CLOCK_TOLERANCE_SECONDS: nonNegativeInt.default(30),
  /** Oldest accepted token by its `iat` (which becomes required), in seconds: 24 h, Auth0's default access-token lifetime. */
  JWT_MAX_AGE_SECONDS: positiveInt.default(86_400),

  REQUEST_DEADLINE_MS: positiveInt.default(10_000),
  /** node:http mounts (standalone, custom server): time to receive the headers, then the whole request (408 beyond), idle keep-alive, open sockets. */
  SERVER_HEADERS_TIMEOUT_MS: positiveInt.default(SERVER_DEFAULTS.headersTimeoutMs),
  SERVER_REQUEST_TIMEOUT_MS: positiveInt.default(SERVER_DEFAULTS.requestTimeoutMs),
  SERVER_KEEP_ALIVE_TIMEOUT_MS: positiveInt.default(SERVER_DEFAULTS.keepAliveTimeoutMs),
  SERVER_MAX_CONNECTIONS: positiveInt.default(SERVER_DEFAULTS.maxConnections),
  /** After SIGTERM/SIGINT: how long the gateway keeps serving with readiness 503 (load balancers stop routing here); unset: 5000 in production, 0 in development, test and the demo. */
  SHUTDOWN_DRAIN_MS: nonNegativeInt.optional(),
  /** After the drain: how long in-flight requests get to finish before their connections are cut. */
  SHUTDOWN_TIMEOUT_MS: positiveInt.default(15_000),
  /** Interface the launcher binds (next -H, the node:http mounts); unset: 127.0.0.1 in development, every interface in production. */
  HOST: z.string().min(1).optional(),
  UPSTREAM_ATTEMPT_TIMEOUT_MS: positiveInt.default(3_000),
  UPSTREAM_MAX_RETRIES: nonNegativeInt.default(2),
  /** Outbound token bucket per provider: the rate the providers allow us (requests per second; 0: no bucket) and its burst. */
  UPSTREAM_RATE_PER_SECOND: nonNegativeInt.default(200),
  UPSTREAM_BURST: positiveInt.default(50),
  /** Calls in flight at once toward one provider. */
  UPSTREAM_MAX_CONCURRENT: positiveInt.default(64),
  REDIS_URL: z.url({ protocol: /^rediss?$/, error: 'expected a redis:// URL' }).optional(),
  /** Redis Cluster: seed nodes (comma-separated host:port); REDIS_URL then only gives credentials and TLS. */
  REDIS_CLUSTER_NODES: commaList(parseRedisNode).prefault(''),
  /** Redis Sentinel: sentinels (comma-separated host:port) watching REDIS_SENTINEL_NAME; REDIS_URL then only gives credentials. */
  REDIS_SENTINELS: commaList(parseRedisNode).prefault(''),
  REDIS_SENTINEL_NAME: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, { error: 'expected a master name (letters, digits, . _ -)' }).default('mymaster'),
  /** Longest wait for Redis on the request path before the shared feature falls back to local state. */
  REDIS_TIMEOUT_MS: positiveInt.max(5000, { error: 'expected at most 5000' }).default(100),

  PERSISTED_OPERATIONS: z.enum(['enforce', 'audit', 'off']).optional(),
  /** Secret of the header that lets named internal clients bypass the allowlist; unset = no bypass. */
  PERSISTED_OPERATIONS_BYPASS_SECRET: secret.optional(),
  /** The persisted-queries folder (operations/, manifest.json, released/), relative to the working directory. */
  PERSISTED_QUERIES_DIR: z.string().min(1).default('persisted-queries'),
  /** `measure` reports operation limits and cost without refusing (to tune limits on live traffic). */
  LIMITS_MODE: z.enum(['enforce', 'measure']).default('enforce'),
  LIMIT_DEPTH: positiveInt.default(LIMIT_DEFAULTS.maxDepth),
  LIMIT_ALIASES: nonNegativeInt.default(LIMIT_DEFAULTS.maxAliases),
  LIMIT_ROOT_FIELDS: positiveInt.default(LIMIT_DEFAULTS.maxRootFields),
  LIMIT_DIRECTIVES: nonNegativeInt.default(LIMIT_DEFAULTS.maxDirectives),
  LIMIT_TOKENS: positiveInt.default(LIMIT_DEFAULTS.maxTokens),
  LIMIT_DOCUMENT_BYTES: positiveInt.default(LIMIT_DEFAULTS.maxDocumentBytes),
  LIMIT_COST: positiveInt.default(LIMIT_DEFAULTS.maxCost),
  /** Operations per batched request; 0 turns batching off. */
  LIMIT_BATCH: nonNegativeInt.default(LIMIT_DEFAULTS.maxBatchOperations),
  LIMIT_BODY_BYTES: positiveInt.default(LIMIT_DEFAULTS.maxRequestBodyBytes),
  /** Nesting and number of values of `variables` (and of `extensions`), checked before any plugin reads them. */
  LIMIT_VARIABLES_DEPTH: positiveInt.default(LIMIT_DEFAULTS.maxVariablesDepth),
  LIMIT_VARIABLES_VALUES: positiveInt.default(LIMIT_DEFAULTS.maxVariablesValues),
  /** Proxies (comma-separated addresses and CIDRs) whose x-forwarded-for entries are believed; unset = none, the socket peer is the client. */
  TRUSTED_PROXIES: commaList(parseTrustedProxy).prefault(''),
  /** Removed: counting hops let clients forge x-forwarded-for, so a deployment still setting it must not boot unaware. */
  TRUSTED_PROXY_HOPS: z.never({ error: 'replaced by TRUSTED_PROXIES: the addresses or CIDRs of your proxies (README "Client addresses behind proxies")' }).optional(),
  /** V8's allocation-site pretenuring; off unless 1 (src/server/node-options.ts says why). */
  V8_PRETENURING: flag.default(false),
  /** Development only: a bearer token GraphiQL's example tabs carry (`npm run dev` passes its dev token); ignored in production, where GraphiQL is off. */
  GRAPHIQL_TOKEN: z.string().min(1).optional(),
  /** Adaptive admission limit (src/plugins/admission-limit.ts); 0 turns it off. */
  ADMISSION_CONTROL: flag.default(true),
  ADMISSION_MIN_CONCURRENT: positiveInt.default(ADMISSION_DEFAULTS.minConcurrent),
  ADMISSION_MAX_CONCURRENT: positiveInt.default(ADMISSION_DEFAULTS.maxConcurrent),
  ADMISSION_MAX_QUEUED: nonNegativeInt.default(ADMISSION_DEFAULTS.maxQueued),
  ADMISSION_QUEUE_TIMEOUT_MS: positiveInt.default(ADMISSION_DEFAULTS.queueTimeoutMs),
  /** Event-loop utilisation (0.5–1) at which the admission limit starts to shrink. */
  ADMISSION_SATURATION: z.coerce.number({ error: 'expected a number' }).min(0.5, { error: 'expected 0.5 to 1' }).max(1, { error: 'expected 0.5 to 1' }).default(ADMISSION_DEFAULTS.saturation),
  /** Prefix of every key this gateway writes to Redis (rate limits, response cache): instances that share it share state. */
  REDIS_KEY_PREFIX: z.string().min(1).max(64).default('bff:'),
  /** Inbound limits per caller and window; 0 disables a limit. Unset: production/development defaults, off in test. */
  RATE_LIMIT_WINDOW_SECONDS: positiveInt.default(60),
  RATE_LIMIT_REQUESTS_PER_WINDOW: nonNegativeInt.optional(),
  RATE_LIMIT_COST_PER_WINDOW: nonNegativeInt.optional(),
  RATE_LIMIT_BURST_REQUESTS: nonNegativeInt.optional(),
  RATE_LIMIT_BURST_SECONDS: positiveInt.default(2),
  /** With Redis: share of each limit leased per Redis call (0 = exact, one call per spend; README "Shared state in Redis"). */
  RATE_LIMIT_LEASE_FRACTION: z.coerce.number({ error: 'expected a number' }).min(0, { error: 'expected 0 to 1' }).max(1, { error: 'expected 0 to 1' }).default(0.1),
  /** Response cache on/off; unset: on in production and development, off in test (tests opt in). */
  RESPONSE_CACHE: flag.optional(),
  RESPONSE_CACHE_MAX_ENTRIES: positiveInt.default(10_000),
  /** GET persisted-query hits served before yoga parses anything (0 turns it off, for comparison). */
  RESPONSE_CACHE_EARLY_HIT: flag.default(true),
  /** Seconds a shared cache may serve a public answer past its max-age while it refetches it (`stale-while-revalidate`); 0 omits the directive. */
  RESPONSE_CACHE_STALE_WHILE_REVALIDATE: nonNegativeInt.default(60),
  /** Bearer token of POST /api/admin/invalidate (drop cached answers by type, entity or operation); unset = that route answers 404. */
  CACHE_ADMIN_TOKEN: secret.optional(),
  /** Called (POST, JSON `{ tags }`) after every invalidation, e.g. a CDN purge-by-tag relay; unset = none. */
  CACHE_PURGE_URL: url.optional(),
  /** Bearer token sent to CACHE_PURGE_URL; unset = no Authorization header. */
  CACHE_PURGE_TOKEN: secret.optional(),
  /** Largest provider webhook body (413 beyond, checked before any parsing). */
  WEBHOOK_MAX_BODY_BYTES: positiveInt.default(65_536),
  /** How far a webhook's signed timestamp may be from our clock, in seconds (401 beyond). */
  WEBHOOK_TOLERANCE_SECONDS: positiveInt.default(300),
  /** Browser origins (comma-separated, exact) allowed cross-origin with credentials; unset: none in production, the local dev server otherwise. */
  CORS_ORIGINS: commaList(parseCorsOrigin).optional(),
});

export type GatewayEnv = z.infer<typeof gatewayEnvSchema>;

const GATEWAY_SECRETS = ['JWT_SECRET', 'PERSISTED_OPERATIONS_BYPASS_SECRET', 'METRICS_TOKEN', 'CACHE_ADMIN_TOKEN', 'CACHE_PURGE_TOKEN'] as const satisfies readonly (keyof GatewayEnv)[];

/** Demo secrets all start with this prefix, so production can refuse them without knowing them. */
export const DEMO_SECRET_PREFIX = 'dev-';

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** What the environment needs of a provider module: its name and its variables. */
export interface ProviderEnvDeclaration {
  readonly name: string;
  readonly env: ProviderVariables;
}

// Distributes over the providers: each one's variable names, joined (optional ones apart).
type VariableNamesOf<P> = P extends { readonly env: infer V extends ProviderVariables } ? { [K in keyof V & string]: V[K] extends { readonly optional: true } ? never : K }[keyof V & string] : never;
type OptionalVariableNamesOf<P> = P extends { readonly env: infer V extends ProviderVariables } ? { [K in keyof V & string]: V[K] extends { readonly optional: true } ? K : never }[keyof V & string] : never;

/** The validated environment: the gateway's variables and every provider's. */
export type EnvOf<P extends readonly ProviderEnvDeclaration[]> = GatewayEnv & { readonly [K in VariableNamesOf<P[number]>]: string } & {
  readonly [K in OptionalVariableNamesOf<P[number]>]?: string;
};

export interface EnvParser<E> {
  /** Every variable: the providers' (in their order), then the gateway's. Deployment manifests are checked against it. */
  readonly schema: z.ZodObject;
  /** Parses an environment record (never mutates it). Empty strings count as unset. */
  parse(source: Readonly<Record<string, string | undefined>>): E;
  /** Reads and validates process.env. */
  load(): E;
}

/**
 * The parser of the gateway's environment with the variables of `providers`. The config leaf may not
 * import the providers, so whoever wires them (src/server/config.ts) hands their declarations in.
 */
export function createEnvParser<const P extends readonly ProviderEnvDeclaration[]>(providers: P): EnvParser<EnvOf<P>> {
  const declared = new Map<string, string>(Object.keys(gatewayEnvSchema.shape).map((name) => [name, 'the gateway']));
  for (const provider of providers) {
    for (const name of Object.keys(provider.env)) {
      const owner = declared.get(name);
      if (owner !== undefined) throw new Error(`${name} is declared by provider ${provider.name} and by ${owner}: a variable has one owner.`);
      declared.set(name, `provider ${provider.name}`);
    }
  }
  const variables = providers.flatMap((provider) => Object.entries(provider.env));
  // The providers' variables first: a problem with one is listed before the gateway's tuning knobs.
  const schema = z.object({ ...Object.fromEntries(variables.map(([name, variable]) => [name, variable.optional === true ? variable.schema.optional() : variable.schema])), ...gatewayEnvSchema.shape });
  const secrets = [...variables.filter(([, variable]) => variable.kind === 'secret').map(([name]) => name), ...GATEWAY_SECRETS];
  // The schema checked every provider variable (required strings), so the record has the declared shape.
  const parse = (source: Readonly<Record<string, string | undefined>>) => parseEnvRecord(schema, secrets, source) as EnvOf<P>;
  return { schema, parse, load: () => parse(process.env) };
}

/**
 * The process's environment as it is, for a launcher that hands it to the child it starts; the
 * gateway's own settings are read through an EnvParser's `load`, validated.
 */
export function processEnvironment(): Readonly<NodeJS.ProcessEnv> {
  return process.env;
}

function parseEnvRecord(schema: z.ZodObject, secrets: readonly string[], source: Readonly<Record<string, string | undefined>>): GatewayEnv {
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const result = schema.safeParse(cleaned);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => {
        const name = issue.path.join('.');
        const message = issue.code === 'invalid_type' && cleaned[name] === undefined ? 'is required' : issue.message;
        return `${name}: ${message}`;
      }),
    );
  }
  const values: Readonly<Record<string, unknown>> = result.data;
  // Every key of the gateway's schema is in `schema`, validated by it.
  const env = values as GatewayEnv;
  if (env.REDIS_CLUSTER_NODES.length > 0 && env.REDIS_SENTINELS.length > 0) {
    throw new ConfigError(['REDIS_SENTINELS: set either REDIS_CLUSTER_NODES (Redis Cluster) or REDIS_SENTINELS (Sentinel), not both']);
  }
  if (env.NODE_ENV === 'production' && !env.DEMO) {
    const demoSecrets = secrets.filter((name) => {
      const value = values[name];
      return typeof value === 'string' && value.startsWith(DEMO_SECRET_PREFIX);
    });
    if (demoSecrets.length > 0) {
      throw new ConfigError(demoSecrets.map((name) => `${name}: a demo secret cannot be used in production (set DEMO=1 for the demo)`));
    }
  }
  const keyProblems = callerKeyProblems(env);
  if (keyProblems.length > 0) throw new ConfigError(keyProblems);
  // Node refuses a header timeout longer than the request timeout when it creates the server.
  if (env.SERVER_HEADERS_TIMEOUT_MS > env.SERVER_REQUEST_TIMEOUT_MS) {
    throw new ConfigError(['SERVER_HEADERS_TIMEOUT_MS: expected at most SERVER_REQUEST_TIMEOUT_MS']);
  }
  return env;
}
