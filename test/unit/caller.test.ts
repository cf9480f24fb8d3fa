// Inbound JWT verification: signature, issuer, audience, expiry; remembered tokens expire on time.
import { describe, expect, it } from 'vitest';
import { mintDevToken, DEV_JWT } from '../../src/dev/dev-jwt';
import { AppError } from '../../src/errors/app-error';
import { createCallerVerifier } from '../../src/server/caller';

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    return error instanceof AppError ? error.code : 'not an AppError';
  }
}

describe('createCallerVerifier', () => {
  it('returns the subject and scopes of a valid token, and null without a header', async () => {
    const verify = createCallerVerifier(DEV_JWT);
    expect(await verify(`Bearer ${await mintDevToken('user-4', { scope: 'read' })}`)).toEqual({ id: 'user-4', scopes: ['read'] });
    expect(await verify(null)).toBeNull();
  });

  it('refuses a wrong issuer, a wrong audience, a wrong key and a non-bearer header', async () => {
    const verify = createCallerVerifier(DEV_JWT);
    expect(await codeOf(verify(`Bearer ${await mintDevToken('user-1', { issuer: 'someone-else' })}`))).toBe('UNAUTHENTICATED');
    expect(await codeOf(verify(`Bearer ${await mintDevToken('user-1', { audience: 'another-api' })}`))).toBe('UNAUTHENTICATED');
    expect(await codeOf(verify(`Bearer ${await mintDevToken('user-1', { secret: 'x'.repeat(40) })}`))).toBe('UNAUTHENTICATED');
    expect(await codeOf(verify('Basic dXNlcjpwYXNz'))).toBe('UNAUTHENTICATED');
  });

  it('stops accepting a remembered token once it expires', async () => {
    let nowMs = Date.now();
    const verify = createCallerVerifier({ ...DEV_JWT, clockToleranceSeconds: 0, now: () => nowMs });
    const token = await mintDevToken('user-2', { expiresIn: '60s' });
    expect(await verify(`Bearer ${token}`)).toEqual({ id: 'user-2', scopes: ['read', 'write'] });
    nowMs += 30_000;
    expect(await verify(`Bearer ${token}`)).toEqual({ id: 'user-2', scopes: ['read', 'write'] });
    nowMs += 31_000;
    expect(await codeOf(verify(`Bearer ${token}`))).toBe('UNAUTHENTICATED');
  });
});
