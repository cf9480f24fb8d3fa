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
  /** Verified tokens remembered (until their expiry) so a client's next request skips the HMAC. @default 10000 */
  readonly cacheSize?: number;
  /** Clock for the expiry of remembered tokens. @default Date.now */
  readonly now?: () => number;
}

/** Longer Authorization headers are refused before any pattern or verifier reads them (real JWTs stay far below). */
export const MAX_AUTHORIZATION_LENGTH = 8192;

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
  const now = options.now ?? Date.now;
  const cacheSize = options.cacheSize ?? 10_000;
  // A client sends the same token on every request; WebCrypto's HMAC is async and costs more than the
  // rest of the edge. Only successfully verified tokens are remembered, keyed by the exact token,
  // and only until their own `exp` (no clock tolerance on the remembered copy).
  const verified = new Map<string, { caller: Caller; expiresAtMs: number }>();
  return async (authorization) => {
    if (!authorization) return null;
    if (authorization.length > MAX_AUTHORIZATION_LENGTH) throw unauthenticated('The Authorization header is too long.');
    // The auth scheme is case-insensitive (RFC 9110 §11.1).
    const match = /^[Bb][Ee][Aa][Rr][Ee][Rr] ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/.exec(authorization);
    const token = match?.[1];
    if (!token) throw unauthenticated('The Authorization header must be "Bearer <JWT>".');
    const remembered = verified.get(token);
    if (remembered && remembered.expiresAtMs > now()) return remembered.caller;
    if (remembered) verified.delete(token);
    try {
      const { payload } = await jwtVerify(token, key, { ...verifyOptions, currentDate: new Date(now()) });
      const scopes = typeof payload['scope'] === 'string' ? payload['scope'].split(' ').filter(Boolean) : [];
      const caller: Caller = { id: String(payload.sub), scopes };
      if (cacheSize > 0 && payload.exp !== undefined) {
        // Oldest first out: Map keeps insertion order.
        if (verified.size >= cacheSize) verified.delete(verified.keys().next().value ?? '');
        verified.set(token, { caller, expiresAtMs: payload.exp * 1000 });
      }
      return caller;
    } catch (cause) {
      throw unauthenticated('The bearer token is invalid or expired.', cause);
    }
  };
}

function unauthenticated(message: string, cause?: unknown): AppError {
  return new AppError('UNAUTHENTICATED', message, { cause, headers: { 'WWW-Authenticate': 'Bearer' } });
}
