// Who is calling: verifies the inbound bearer JWT (signature, issuer, audience, expiry) with jose.
// No token → anonymous caller (fields that need one say UNAUTHENTICATED); a bad token → 401 at once.
import { jwtVerify } from 'jose';
import { AppError } from '../errors/app-error';

export interface Caller {
  /** The JWT subject: our user id. */
  readonly id: string;
  readonly scopes: readonly string[];
}

export interface CallerVerifierOptions {
  /** HS256 shared secret (at least 32 characters). */
  readonly secret: string;
  readonly issuer: string;
  readonly audience: string;
  /** Accepted clock skew in seconds. @default 30 */
  readonly clockToleranceSeconds?: number;
}

export type CallerVerifier = (authorization: string | null) => Promise<Caller | null>;

export function createCallerVerifier(options: CallerVerifierOptions): CallerVerifier {
  const key = new TextEncoder().encode(options.secret);
  const verifyOptions = {
    issuer: options.issuer,
    audience: options.audience,
    algorithms: ['HS256'],
    clockTolerance: options.clockToleranceSeconds ?? 30,
    requiredClaims: ['sub', 'exp'],
  };
  return async (authorization) => {
    if (!authorization) return null;
    const match = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/.exec(authorization);
    if (!match?.[1]) throw unauthenticated('The Authorization header must be "Bearer <JWT>".');
    try {
      const { payload } = await jwtVerify(match[1], key, verifyOptions);
      const scopes = typeof payload['scope'] === 'string' ? payload['scope'].split(' ').filter(Boolean) : [];
      return { id: String(payload.sub), scopes };
    } catch (cause) {
      throw unauthenticated('The bearer token is invalid or expired.', cause);
    }
  };
}

function unauthenticated(message: string, cause?: unknown): AppError {
  return new AppError('UNAUTHENTICATED', message, { cause, headers: { 'WWW-Authenticate': 'Bearer' } });
}
