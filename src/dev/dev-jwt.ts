// The demo's caller tokens: an HS256 dev key (refused in production by config/env.ts) and a minting
// helper used by `npm run token`, the demo banner and the tests.
import { SignJWT } from 'jose';
import { DEV_CALLER_SCOPES } from './upstreams/credentials';

export const DEV_JWT = {
  secret: 'dev-jwt-secret-for-the-demo-only-0123456789',
  issuer: 'bff-dev',
  audience: 'bff-gateway',
} as const;

export interface MintOptions {
  /** Lifetime, e.g. '1h', '15m', or seconds. @default '12h' */
  readonly expiresIn?: string | number;
  /** Space-separated scopes. @default 'orders:read orders:write users:pii' (DEV_CALLER_SCOPES) */
  readonly scope?: string;
  /** Signing secret (tests forge tokens with a wrong one). @default DEV_JWT.secret */
  readonly secret?: string;
  readonly issuer?: string;
  readonly audience?: string;
}

export async function mintDevToken(userId: string, options: MintOptions = {}): Promise<string> {
  return new SignJWT({ scope: options.scope ?? DEV_CALLER_SCOPES.join(' ') })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(userId)
    .setIssuer(options.issuer ?? DEV_JWT.issuer)
    .setAudience(options.audience ?? DEV_JWT.audience)
    .setIssuedAt()
    .setExpirationTime(options.expiresIn ?? '12h')
    .sign(new TextEncoder().encode(options.secret ?? DEV_JWT.secret));
}
