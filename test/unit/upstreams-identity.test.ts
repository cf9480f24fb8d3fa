// The simulated identity provider: its published keys verify what it mints, rotation keeps or drops the
// replaced key, requests are counted, faults apply, and POST /dev/token mints for `npm run token -- --idp`.
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEV_TOKEN_PATH, JWKS_PATH, startIdentityProvider, type IdentityProvider } from '../../src/dev/upstreams';

let idp: IdentityProvider;
beforeAll(async () => {
  idp = await startIdentityProvider();
});
afterAll(() => idp.close());

async function get(path: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${idp.url}${path}`);
  return { status: res.status, body: await res.json() };
}

async function verify(token: string, jwks: unknown): Promise<string | undefined> {
  const { payload } = await jwtVerify(token, createLocalJWKSet(jwks as JSONWebKeySet), { issuer: idp.issuer, audience: 'bff-gateway', algorithms: ['RS256', 'ES256', 'EdDSA'] });
  return payload.sub;
}

describe('IdentityProvider', () => {
  it('publishes public keys that verify the tokens it mints, and counts the JWKS requests', async () => {
    idp.resetRecords();
    const { status, body } = await get(JWKS_PATH);
    expect(status).toBe(200);
    const keys = (body as { keys: Record<string, unknown>[] }).keys;
    expect(keys.map((key) => key['alg'])).toEqual(['RS256', 'ES256', 'EdDSA']);
    expect(keys.every((key) => key['d'] === undefined && typeof key['kid'] === 'string' && key['use'] === 'sig')).toBe(true);
    for (const alg of ['RS256', 'ES256', 'EdDSA'] as const) expect(await verify(idp.mint(`user-${alg}`, { alg }), body)).toBe(`user-${alg}`);
    expect(idp.count({ path: JWKS_PATH })).toBe(1);
  });

  it('rotates one algorithm, keeping or dropping the replaced key', () => {
    const kidsOf = () => idp.jwks().keys.filter((key) => key.alg === 'ES256').map((key) => key.kid);
    const [first] = kidsOf();
    const [kept] = idp.rotate({ alg: 'ES256' });
    expect(kidsOf()).toEqual([first, kept]);
    const [only] = idp.rotate({ alg: 'ES256', keepOld: false });
    expect(kidsOf()).toEqual([first, only]);
    expect(new Set([first, kept, only]).size).toBe(3);
  });

  it('answers faults on the JWKS path, and serves it again once they are cleared', async () => {
    idp.fault({ kind: 'status', status: 500 }, { match: { path: JWKS_PATH }, times: 1 });
    expect((await get(JWKS_PATH)).status).toBe(500);
    expect((await get(JWKS_PATH)).status).toBe(200);
  });

  it('mints dev tokens at POST /dev/token with the asked scopes, and refuses a missing subject', async () => {
    const post = (body: unknown) => fetch(`${idp.url}${DEV_TOKEN_PATH}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const res = await post({ sub: 'user-2', scopes: ['orders:read'] });
    expect(res.status).toBe(200);
    const token = ((await res.json()) as { access_token: string }).access_token;
    const { payload } = await jwtVerify(token, createLocalJWKSet(idp.jwks() as JSONWebKeySet), { issuer: idp.issuer, audience: 'bff-gateway' });
    expect([payload.sub, payload['scope']]).toEqual(['user-2', 'orders:read']);
    expect((await post({ scopes: ['orders:read'] })).status).toBe(400);
    expect((await post({ sub: 'user-2', alg: 'HS256' })).status).toBe(400);
  });
});
