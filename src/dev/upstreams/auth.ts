// Simulated OAuth2 token endpoint (client credentials): POST /oauth/token, counts what it issues.
import { isRecord } from './body';
import { ORDER_SCOPES } from './credentials';
import { ProviderServer, type ProviderReply, type ProviderRequest, type ProviderServerOptions } from './server';
import { defineSimulator } from './define-simulator';
import type { TokenRegistry } from './token-registry';

export const TOKEN_PATH = '/oauth/token';

/** The orders client's credentials, which this endpoint checks. */
const DEV_CLIENT = Object.freeze({ id: 'dev-orders-client', secret: 'dev-orders-secret' });

export interface AuthProviderOptions extends ProviderServerOptions {
  /** Shared with the orders provider, which checks the tokens. */
  readonly tokens: TokenRegistry;
  /** `expires_in` of issued tokens. @default 3600 */
  readonly tokenTtlSeconds?: number;
  /** @default the dev client, `dev-orders-client` / `dev-orders-secret` */
  readonly clientId?: string;
  readonly clientSecret?: string;
}

const GRANTABLE = new Set<string>([ORDER_SCOPES.read, ORDER_SCOPES.write]);

interface ClientCredentials {
  readonly id: string;
  readonly secret: string;
}

/** RFC 6749 §2.3.1: id and secret are form-encoded before base64. */
function fromBasic(header: string | undefined): ClientCredentials | undefined {
  if (header === undefined || !/^basic /i.test(header)) return undefined;
  const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon === -1) return undefined;
  const decode = (part: string) => decodeURIComponent(part.replace(/\+/g, ' '));
  try {
    return { id: decode(decoded.slice(0, colon)), secret: decode(decoded.slice(colon + 1)) };
  } catch {
    return undefined;
  }
}

function fromBody(form: Record<string, unknown>): ClientCredentials | undefined {
  const { client_id: id, client_secret: secret } = form;
  return typeof id === 'string' && typeof secret === 'string' ? { id, secret } : undefined;
}

export class AuthProvider extends ProviderServer {
  /** `expires_in` of tokens issued from now on. */
  tokenTtlSeconds: number;
  readonly #tokens: TokenRegistry;
  readonly #client: ClientCredentials;

  constructor(options: AuthProviderOptions) {
    super('auth', options);
    this.#tokens = options.tokens;
    this.tokenTtlSeconds = options.tokenTtlSeconds ?? 3600;
    this.#client = {
      id: options.clientId ?? DEV_CLIENT.id,
      secret: options.clientSecret ?? DEV_CLIENT.secret,
    };
  }

  /** Tokens issued so far (successful token responses). */
  get tokensIssued(): number {
    return this.#tokens.issued;
  }

  /** Every token issued so far is refused from now on (by the orders provider). */
  revokeAll(): void {
    this.#tokens.revokeAll();
  }

  protected override route(request: ProviderRequest): ProviderReply {
    if (request.path !== TOKEN_PATH) return { status: 404, body: { error: 'not_found' } };
    if (request.method !== 'POST') return { status: 405, body: { error: 'method_not_allowed' } };
    const form = isRecord(request.body) ? request.body : {};
    const client = fromBasic(request.headers.authorization) ?? fromBody(form);
    if (client?.id !== this.#client.id || client.secret !== this.#client.secret) {
      return { status: 401, headers: { 'www-authenticate': 'Basic realm="auth"' }, body: { error: 'invalid_client' } };
    }
    if (form.grant_type !== 'client_credentials') return { status: 400, body: { error: 'unsupported_grant_type' } };
    const requested = typeof form.scope === 'string' ? form.scope.split(' ').filter(Boolean) : [...GRANTABLE];
    if (requested.some((scope) => !GRANTABLE.has(scope))) return { status: 400, body: { error: 'invalid_scope' } };
    const accessToken = this.#tokens.issue(requested, this.tokenTtlSeconds);
    return {
      status: 200,
      headers: { 'cache-control': 'no-store' },
      body: { access_token: accessToken, token_type: 'Bearer', expires_in: this.tokenTtlSeconds, scope: requested.join(' ') },
    };
  }

  protected override malformedBody(): unknown {
    return { access_token: 42, token_type: 'Bearer', expires_in: 'soon' };
  }
}

export async function startAuthProvider(options: AuthProviderOptions): Promise<AuthProvider> {
  return new AuthProvider(options).listen();
}

// Not a provider of the gateway: the token endpoint of the orders provider's OAuth2 client.
export const simulator = defineSimulator({
  name: 'auth',
  credentials: { ordersClientId: DEV_CLIENT.id, ordersClientSecret: DEV_CLIENT.secret },
  create: (world, credentials) =>
    new AuthProvider({ ...world.server, tokens: world.tokens, tokenTtlSeconds: world.tokenTtlSeconds, clientId: credentials.ordersClientId, clientSecret: credentials.ordersClientSecret }),
  env: (server, credentials) => ({ ORDERS_TOKEN_URL: `${server.url}${TOKEN_PATH}`, ORDERS_CLIENT_ID: credentials.ordersClientId, ORDERS_CLIENT_SECRET: credentials.ordersClientSecret }),
});
