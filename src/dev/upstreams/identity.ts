// Simulated identity provider (an Auth0/Cognito/Entra/Keycloak stand-in): publishes its public keys at
// /.well-known/jwks.json, signs callers' tokens (RS256, ES256, EdDSA), rotates keys on demand, and
// mints dev tokens at POST /dev/token for `npm run token -- --idp <url>`.
import { generateKeyPairSync, randomBytes, randomUUID, sign, type JsonWebKey, type KeyObject } from 'node:crypto';
import { isRecord } from './body';
import { DEV_CALLER_SCOPES } from './credentials';
import { ProviderServer, type ProviderReply, type ProviderRequest, type ProviderServerOptions } from './server';
import { defineSimulator } from './define-simulator';

export const JWKS_PATH = '/.well-known/jwks.json';
export const DEV_TOKEN_PATH = '/dev/token';

export const IDENTITY_ALGORITHMS = ['RS256', 'ES256', 'EdDSA'] as const;
export type IdentityAlgorithm = (typeof IDENTITY_ALGORITHMS)[number];

export interface IdentityProviderOptions extends ProviderServerOptions {
  /** `iss` of minted tokens. @default the provider's URL followed by `/` (Auth0's shape) */
  readonly issuer?: string;
  /** `aud` of minted tokens. @default 'bff-gateway' */
  readonly audience?: string;
  /** Clock of `iat` and `exp`. @default Date.now */
  readonly now?: () => number;
}

export interface IdentityMintOptions {
  /** @default DEV_CALLER_SCOPES (orders:read orders:write users:pii) */
  readonly scopes?: readonly string[];
  /** Signed with the current key of this algorithm. @default 'RS256' */
  readonly alg?: IdentityAlgorithm;
  /** Lifetime from `iat`, in seconds (negative: already expired). @default 3600 */
  readonly expiresIn?: number;
  /** `iat`, in seconds since the epoch. @default now */
  readonly iat?: number;
  /**
   * Signs with the key of this kid, published or not (a replaced or dropped one: this provider keeps
   * every key it made); a kid it never made is sent as is, with the current key's signature.
   */
  readonly kid?: string;
  /** @default the provider's issuer */
  readonly issuer?: string;
  /** @default the provider's audience */
  readonly audience?: string;
  /** Extra claims, written last (they may override the standard ones). */
  readonly claims?: Readonly<Record<string, unknown>>;
}

export interface RotateOptions {
  /** Which algorithm's key to replace. @default every algorithm */
  readonly alg?: IdentityAlgorithm;
  /** Keep publishing the replaced key, as providers do while its tokens live out. @default true */
  readonly keepOld?: boolean;
}

/** A published public key. */
export type PublicJwk = JsonWebKey & { readonly kid: string; readonly alg: IdentityAlgorithm; readonly use: 'sig' };

interface SigningKey {
  readonly kid: string;
  readonly alg: IdentityAlgorithm;
  readonly privateKey: KeyObject;
  readonly jwk: PublicJwk;
}

function isIdentityAlgorithm(value: unknown): value is IdentityAlgorithm {
  return IDENTITY_ALGORITHMS.some((known) => known === value);
}

const base64url = (data: string | Buffer) => Buffer.from(data).toString('base64url');

// Synchronous keys and signatures: `route` answers synchronously, and the keys are made only on first
// use, so the many test worlds that never verify against this provider pay nothing for RSA generation.
function generate(alg: IdentityAlgorithm, kid: string): SigningKey {
  const pair =
    alg === 'RS256' ? generateKeyPairSync('rsa', { modulusLength: 2048 }) : alg === 'ES256' ? generateKeyPairSync('ec', { namedCurve: 'P-256' }) : generateKeyPairSync('ed25519');
  return { kid, alg, privateKey: pair.privateKey, jwk: { ...pair.publicKey.export({ format: 'jwk' }), kid, alg, use: 'sig' } };
}

function signature(alg: IdentityAlgorithm, key: KeyObject, input: string): Buffer {
  const data = Buffer.from(input);
  if (alg === 'RS256') return sign('sha256', data, key);
  // JWS wants ECDSA signatures as r‖s (IEEE P1363), not DER.
  if (alg === 'ES256') return sign('sha256', data, { key, dsaEncoding: 'ieee-p1363' });
  return sign(null, data, key);
}

export class IdentityProvider extends ProviderServer {
  readonly #options: IdentityProviderOptions;
  readonly #now: () => number;
  #published: SigningKey[] = [];
  readonly #current = new Map<IdentityAlgorithm, SigningKey>();
  readonly #made = new Map<string, SigningKey>();
  #generation = 0;

  constructor(options: IdentityProviderOptions = {}) {
    super('identity', options);
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  get issuer(): string {
    return this.#options.issuer ?? `${this.url}/`;
  }

  get audience(): string {
    return this.#options.audience ?? 'bff-gateway';
  }

  /** The JWKS URL a gateway is given (JWT_JWKS_URL). */
  get jwksUrl(): string {
    return `${this.url}${JWKS_PATH}`;
  }

  /** The public keys published now (copies). */
  jwks(): { keys: PublicJwk[] } {
    this.#ensureKeys();
    return { keys: this.#published.map((key) => ({ ...key.jwk })) };
  }

  /** Replaces the signing key of one algorithm (or of all); returns the new kids. */
  rotate(options: RotateOptions = {}): string[] {
    this.#ensureKeys();
    return (options.alg ? [options.alg] : [...IDENTITY_ALGORITHMS]).map((alg) => this.#replace(alg, options.keepOld ?? true).kid);
  }

  /** A signed token for `sub` ('' gives an empty subject, for tests). */
  mint(sub: string, options: IdentityMintOptions = {}): string {
    this.#ensureKeys();
    const key = (options.kid === undefined ? undefined : this.#made.get(options.kid)) ?? this.#current.get(options.alg ?? 'RS256');
    if (!key) throw new Error(`no ${options.alg} key`);
    const iat = options.iat ?? Math.floor(this.#now() / 1000);
    const header = { alg: key.alg, typ: 'JWT', kid: options.kid ?? key.kid };
    const payload = {
      iss: options.issuer ?? this.issuer,
      sub,
      aud: options.audience ?? this.audience,
      iat,
      exp: iat + (options.expiresIn ?? 3600),
      jti: randomUUID(),
      scope: (options.scopes ?? DEV_CALLER_SCOPES).join(' '),
      ...options.claims,
    };
    const input = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(payload))}`;
    return `${input}.${signature(key.alg, key.privateKey, input).toString('base64url')}`;
  }

  protected override route(request: ProviderRequest): ProviderReply {
    if (request.path === JWKS_PATH && request.method === 'GET') {
      return { status: 200, headers: { 'content-type': 'application/jwk-set+json', 'cache-control': 'public, max-age=600' }, body: this.jwks() };
    }
    if (request.path === DEV_TOKEN_PATH && request.method === 'POST') return this.#devToken(request.body);
    return { status: 404, body: { error: 'not_found' } };
  }

  protected override malformedBody(): unknown {
    return { keys: 'not-a-list' };
  }

  #devToken(body: unknown): ProviderReply {
    const form = isRecord(body) ? body : {};
    const { sub, scopes, alg } = form;
    if (typeof sub !== 'string' || sub === '') return { status: 400, body: { error: 'invalid_request', error_description: 'sub is required' } };
    if (scopes !== undefined && !(Array.isArray(scopes) && scopes.every((scope) => typeof scope === 'string'))) {
      return { status: 400, body: { error: 'invalid_scope' } };
    }
    if (alg !== undefined && !isIdentityAlgorithm(alg)) return { status: 400, body: { error: 'invalid_request', error_description: 'unknown alg' } };
    const expiresIn = 12 * 3600;
    const token = this.mint(sub, { expiresIn, ...(scopes === undefined ? {} : { scopes }), ...(alg === undefined ? {} : { alg }) });
    return { status: 200, headers: { 'cache-control': 'no-store' }, body: { access_token: token, token_type: 'Bearer', expires_in: expiresIn } };
  }

  #ensureKeys(): void {
    if (this.#current.size === 0) for (const alg of IDENTITY_ALGORITHMS) this.#replace(alg, true);
  }

  #replace(alg: IdentityAlgorithm, keepOld: boolean): SigningKey {
    this.#generation += 1;
    const key = generate(alg, `${alg.toLowerCase()}-${this.#generation}-${randomBytes(3).toString('hex')}`);
    const old = this.#current.get(alg);
    if (old && !keepOld) this.#published = this.#published.filter((published) => published !== old);
    this.#published.push(key);
    this.#current.set(alg, key);
    this.#made.set(key.kid, key);
    return key;
  }
}

export async function startIdentityProvider(options: IdentityProviderOptions = {}): Promise<IdentityProvider> {
  return new IdentityProvider(options).listen();
}

// Not a provider of the gateway: the callers' identity provider. Its variables (JWT_JWKS_URL…) are set
// only when callers are verified against it (demoEnv's `callers: 'identity'`).
export const simulator = defineSimulator({
  name: 'identity',
  credentials: {},
  create: (world) => new IdentityProvider({ ...world.server, now: world.now }),
  env: () => ({}),
});
