// Who is calling: verifies the inbound bearer JWT (signature, algorithm, issuer, audience, expiry,
// age, subject) with jose, against an identity provider's JWKS or, in development and tests, an
// HS256 secret. No token → anonymous caller (fields that need one say UNAUTHENTICATED); a bad token,
// or keys that cannot be had, → 401 at once.
import { jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { isHmac, type CallerKeys } from '../config/caller-keys';
import { AppError } from '../errors/app-error';
import { createRemoteKeySet, DEFAULT_REFRESH_AFTER_MS, type RemoteKeySetOptions } from './remote-key-set';

export interface Caller {
  /** The JWT subject: our user id. */
  readonly id: string;
  readonly scopes: readonly string[];
}

export interface CallerVerifierOptions {
  /** An HS256 secret (at least 32 characters) or an identity provider's JWKS URL. */
  readonly keys: CallerKeys;
  /** Accepted `alg` values; `none` is never accepted, HMAC never with a JWKS. @default ['RS256', 'ES256'] with a JWKS, ['HS256'] with a secret */
  readonly algorithms?: readonly string[];
  readonly issuer: string;
  readonly audience: string;
  /** Accepted clock skew in seconds. @default 30 */
  readonly clockToleranceSeconds?: number;
  /** Oldest accepted token by its `iat` (then required), in seconds. @default 86400 */
  readonly maxAgeSeconds?: number;
  /** Verified tokens remembered (until their expiry) so a client's next request skips the signature check. @default 10000 */
  readonly cacheSize?: number;
  /** Clock of token expiry and age, and of the key set's cooldown and refresh. @default Date.now */
  readonly now?: () => number;
  /** How the JWKS is fetched and kept (cooldown, refresh age, timeout) and where its failures are told. @default remote-key-set.ts's defaults */
  readonly jwks?: Omit<RemoteKeySetOptions, 'url' | 'now'>;
}

/** Longer Authorization headers are refused before any pattern or verifier reads them (real JWTs stay far below). */
const MAX_AUTHORIZATION_LENGTH = 8192;

export type CallerVerifier = (authorization: string | null) => Promise<Caller | null>;

/** OAuth's `scope` (Auth0, Cognito, Keycloak) or Entra ID's `scp`: a space-separated string, or a list. */
function scopesOf(payload: JWTPayload): string[] {
  const claim = payload['scope'] ?? payload['scp'];
  if (typeof claim === 'string') return claim.split(' ').filter(Boolean);
  if (Array.isArray(claim)) return claim.filter((scope): scope is string => typeof scope === 'string' && scope !== '');
  return [];
}

function algorithmsOf(options: CallerVerifierOptions): string[] {
  const algorithms = [...(options.algorithms ?? (options.keys.kind === 'jwks' ? ['RS256', 'ES256'] : ['HS256']))];
  // The config refuses these at boot; this keeps a hand-built verifier from the same two attacks.
  if (algorithms.some((alg) => alg.toLowerCase() === 'none')) throw new TypeError('"none" is never an accepted algorithm');
  if (options.keys.kind === 'jwks' && algorithms.some(isHmac)) throw new TypeError('HMAC algorithms cannot be verified against a JWKS');
  return algorithms;
}

export function createCallerVerifier(options: CallerVerifierOptions): CallerVerifier {
  const now = options.now ?? Date.now;
  const key: Uint8Array | JWTVerifyGetKey =
    options.keys.kind === 'secret' ? new TextEncoder().encode(options.keys.secret) : createRemoteKeySet({ ...options.jwks, url: options.keys.url, now }).getKey;
  const maxAgeSeconds = options.maxAgeSeconds ?? 86_400;
  // A key the identity provider drops is noticed at the key set's next refresh: a token verified with
  // it is remembered no longer than that, so that it is then checked against the keys as they are.
  const rememberMs = options.keys.kind === 'jwks' ? (options.jwks?.refreshAfterMs ?? DEFAULT_REFRESH_AFTER_MS) : Number.POSITIVE_INFINITY;
  const verifyOptions = {
    issuer: options.issuer,
    audience: options.audience,
    algorithms: algorithmsOf(options),
    clockTolerance: options.clockToleranceSeconds ?? 30,
    maxTokenAge: maxAgeSeconds,
    requiredClaims: ['sub', 'exp', 'iat'],
  };
  const cacheSize = options.cacheSize ?? 10_000;
  // A client sends the same token on every request, and a signature check costs more than the rest
  // of the edge. Only successfully verified tokens are remembered, keyed by the exact token, and only
  // until their own `exp` or maximum age, whichever comes first (no clock tolerance on the remembered copy).
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
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, key, { ...verifyOptions, currentDate: new Date(now()) }));
    } catch (cause) {
      throw unauthenticated('The bearer token is invalid or expired.', cause);
    }
    // jose checks that `sub` is present; an empty or non-string one names nobody.
    if (typeof payload.sub !== 'string' || payload.sub === '') throw unauthenticated('The bearer token names no subject.');
    const caller: Caller = { id: payload.sub, scopes: scopesOf(payload) };
    if (cacheSize > 0 && payload.exp !== undefined && payload.iat !== undefined) {
      // Oldest first out: Map keeps insertion order.
      if (verified.size >= cacheSize) verified.delete(verified.keys().next().value ?? '');
      verified.set(token, { caller, expiresAtMs: Math.min(Math.min(payload.exp, payload.iat + maxAgeSeconds) * 1000, now() + rememberMs) });
    }
    return caller;
  };
}

function unauthenticated(message: string, cause?: unknown): AppError {
  return new AppError('UNAUTHENTICATED', message, { cause, headers: { 'WWW-Authenticate': 'Bearer' } });
}
