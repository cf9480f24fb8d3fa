// Inbound JWT verification with the HS256 dev secret: signature, issuer, audience, expiry, age,
// subject; remembered tokens expire on time. The JWKS path is test/integration/auth-jwks.test.ts.
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { mintDevToken, DEV_JWT } from '../../src/dev/dev-jwt';
import { AppError } from '../../src/errors/app-error';
import { createCallerVerifier, type CallerVerifierOptions } from '../../src/auth/caller';

const HS256: CallerVerifierOptions = { keys: { kind: 'secret', secret: DEV_JWT.secret }, issuer: DEV_JWT.issuer, audience: DEV_JWT.audience };

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    return error instanceof AppError ? error.code : 'not an AppError';
  }
}

/** A dev-secret token with hand-picked claims (mintDevToken always sets sub and iat). */
function signed(claims: Record<string, unknown>): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setIssuer(DEV_JWT.issuer).setAudience(DEV_JWT.audience).setExpirationTime('1h').sign(new TextEncoder().encode(DEV_JWT.secret));
}

describe('createCallerVerifier', () => {
  it('returns the subject and scopes of a valid token, and null without a header', async () => {
    const verify = createCallerVerifier(HS256);
    expect(await verify(`Bearer ${await mintDevToken('user-4', { scope: 'orders:read' })}`)).toEqual({ id: 'user-4', scopes: ['orders:read'] });
    expect(await verify(`Bearer ${await mintDevToken('user-5')}`)).toEqual({ id: 'user-5', scopes: ['orders:read', 'orders:write', 'users:pii'] });
    expect(await verify(null)).toBeNull();
  });

  it("reads Entra ID's scp claim, as a string or a list", async () => {
    const verify = createCallerVerifier(HS256);
    const now = Math.floor(Date.now() / 1000);
    expect(await verify(`Bearer ${await signed({ sub: 'user-1', iat: now, scp: 'orders:read users:pii' })}`)).toEqual({ id: 'user-1', scopes: ['orders:read', 'users:pii'] });
    expect(await verify(`Bearer ${await signed({ sub: 'user-2', iat: now, scp: ['orders:write', 7] })}`)).toEqual({ id: 'user-2', scopes: ['orders:write'] });
  });

  it('refuses a wrong issuer, a wrong audience, a wrong key and a non-bearer header', async () => {
    const verify = createCallerVerifier(HS256);
    expect(await codeOf(verify(`Bearer ${await mintDevToken('user-1', { issuer: 'someone-else' })}`))).toBe('UNAUTHENTICATED');
    expect(await codeOf(verify(`Bearer ${await mintDevToken('user-1', { audience: 'another-api' })}`))).toBe('UNAUTHENTICATED');
    expect(await codeOf(verify(`Bearer ${await mintDevToken('user-1', { secret: 'x'.repeat(40) })}`))).toBe('UNAUTHENTICATED');
    expect(await codeOf(verify('Basic dXNlcjpwYXNz'))).toBe('UNAUTHENTICATED');
  });

  it('refuses a token without iat, with an empty or non-string sub, or older than the maximum age', async () => {
    const verify = createCallerVerifier({ ...HS256, maxAgeSeconds: 600 });
    const now = Math.floor(Date.now() / 1000);
    expect(await codeOf(verify(`Bearer ${await signed({ sub: 'user-1' })}`))).toBe('UNAUTHENTICATED');
    expect(await codeOf(verify(`Bearer ${await signed({ sub: '', iat: now })}`))).toBe('UNAUTHENTICATED');
    expect(await codeOf(verify(`Bearer ${await signed({ sub: 42, iat: now })}`))).toBe('UNAUTHENTICATED');
    expect(await codeOf(verify(`Bearer ${await signed({ sub: 'user-1', iat: now - 600 - 31 })}`))).toBe('UNAUTHENTICATED');
    expect(await verify(`Bearer ${await signed({ sub: 'user-1', iat: now - 600 + 60 })}`)).toEqual({ id: 'user-1', scopes: [] });
  });

  it('refuses to be built with "none", or with HMAC against a JWKS', () => {
    expect(() => createCallerVerifier({ ...HS256, algorithms: ['none'] })).toThrow(TypeError);
    expect(() => createCallerVerifier({ ...HS256, keys: { kind: 'jwks', url: 'http://127.0.0.1:1/jwks' }, algorithms: ['RS256', 'HS256'] })).toThrow(TypeError);
  });

  it('stops accepting a remembered token once it expires', async () => {
    let nowMs = Date.now();
    const verify = createCallerVerifier({ ...HS256, clockToleranceSeconds: 0, now: () => nowMs });
    const token = await mintDevToken('user-2', { expiresIn: '60s', scope: 'orders:read' });
    expect(await verify(`Bearer ${token}`)).toEqual({ id: 'user-2', scopes: ['orders:read'] });
    nowMs += 30_000;
    expect(await verify(`Bearer ${token}`)).toEqual({ id: 'user-2', scopes: ['orders:read'] });
    nowMs += 31_000;
    expect(await codeOf(verify(`Bearer ${token}`))).toBe('UNAUTHENTICATED');
  });

  it('stops accepting a remembered token once it is older than the maximum age, before its exp', async () => {
    let nowMs = Date.now();
    const verify = createCallerVerifier({ ...HS256, clockToleranceSeconds: 0, maxAgeSeconds: 120, now: () => nowMs });
    const token = await mintDevToken('user-3', { expiresIn: '1h' });
    expect((await verify(`Bearer ${token}`))?.id).toBe('user-3');
    nowMs += 119_000;
    expect((await verify(`Bearer ${token}`))?.id).toBe('user-3');
    nowMs += 2_000;
    expect(await codeOf(verify(`Bearer ${token}`))).toBe('UNAUTHENTICATED');
  });
});
