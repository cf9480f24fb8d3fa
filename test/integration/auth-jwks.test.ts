// Callers verified against an identity provider's JWKS (the simulated one in src/dev/upstreams/identity.ts),
// through yoga.fetch: accepted algorithms, alg confusion, claims, rotation with one fetch, and the
// provider down (cached keys keep working, an unknown kid is a 401, never a 500). Time is a manual clock.
import { createPublicKey } from 'node:crypto';
import { decodeProtectedHeader, SignJWT } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { mintDevToken } from '../../src/dev/dev-jwt';
import { JWKS_PATH, type IdentityProvider } from '../../src/dev/upstreams';
import { captureLog, type LogLine } from '../helpers/log-capture';
import { createManualClock, type ManualClock } from '../helpers/manual-clock';
import { startWorld, type GqlResponse, type World } from '../helpers/world';

const ME = '{ me { id } }';
const PING = '{ ping }';
const COOLDOWN_MS = 30_000;
const REFRESH_AFTER_MS = 600_000;

interface Setup {
  readonly world: World;
  readonly idp: IdentityProvider;
  readonly clock: ManualClock;
  /** Resolves with the first log line of that message written from now on. */
  nextLog(msg: string): Promise<LogLine>;
}

let current: World | undefined;
afterEach(async () => {
  await current?.close();
  current = undefined;
});

async function setup(): Promise<Setup> {
  const clock = createManualClock({ start: Date.now() });
  const log = captureLog();
  const waiters: { msg: string; resolve: (line: LogLine) => void }[] = [];
  // Log lines are written synchronously by the logger: a waiter learns of its line without polling.
  const stream = {
    write(chunk: string) {
      log.stream.write(chunk);
      for (const text of chunk.split('\n').filter(Boolean)) {
        const line = JSON.parse(text) as LogLine;
        for (const waiter of waiters.filter((w) => w.msg === line.msg)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(line);
        }
      }
    },
  };
  const world = await startWorld({ callers: 'identity', clock, telemetry: { logDestination: stream, logLevel: 'warn', processMetrics: false } });
  current = world;
  return {
    world,
    idp: world.upstreams.identity,
    clock,
    nextLog: (msg) => new Promise((resolve) => waiters.push({ msg, resolve })),
  };
}

const nowSeconds = (clock: ManualClock) => Math.floor(clock.now() / 1000);
const jwksFetches = (idp: IdentityProvider) => idp.count({ path: JWKS_PATH });

function send(world: World, token: string, query = PING): Promise<GqlResponse> {
  return world.gql(query, { headers: { authorization: `Bearer ${token}` } });
}

function expectUnauthenticated(res: GqlResponse): void {
  expect({ status: res.status, code: res.body.errors?.[0]?.extensions['code'] }).toEqual({ status: 401, code: 'UNAUTHENTICATED' });
}

function base64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

describe('callers verified against a JWKS', () => {
  it('accepts RS256 and ES256 tokens and reads their subject, with one JWKS fetch', async () => {
    const { world, idp } = await setup();
    const rs = await send(world, idp.mint('user-1', { alg: 'RS256' }), ME);
    const es = await send(world, idp.mint('user-2', { alg: 'ES256' }), ME);
    expect([rs.status, rs.body.data]).toEqual([200, { me: { id: 'user-1' } }]);
    expect([es.status, es.body.data]).toEqual([200, { me: { id: 'user-2' } }]);
    expect(jwksFetches(idp)).toBe(1);
    // world.gql's `as` mints through the identity provider too.
    expect((await world.gql(ME, { as: 'user-3' })).body.data).toEqual({ me: { id: 'user-3' } });
  });

  it('refuses alg confusion, unsigned tokens, an algorithm not in JWT_ALGORITHMS and the HS256 dev token: 401', async () => {
    const { world, idp } = await setup();
    expect((await send(world, idp.mint('user-1'))).status).toBe(200);
    const rsa = idp.jwks().keys.find((key) => key.alg === 'RS256');
    if (rsa?.kid === undefined) throw new Error('no RS256 key published');
    const claims = { sub: 'user-1', iss: idp.issuer, aud: idp.audience, iat: Math.floor(Date.now() / 1000), exp: Math.floor(Date.now() / 1000) + 600 };
    const pem = createPublicKey({ key: rsa, format: 'jwk' }).export({ type: 'spki', format: 'pem' }).toString();
    const confused = [
      // HS256 "signed" with the provider's public key: verifies if the gateway let the token pick the algorithm.
      await new SignJWT(claims).setProtectedHeader({ alg: 'HS256', kid: rsa.kid }).sign(new TextEncoder().encode(pem)),
      await new SignJWT(claims).setProtectedHeader({ alg: 'HS256', kid: rsa.kid }).sign(new TextEncoder().encode(JSON.stringify(rsa))),
      `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url(claims)}.`,
      `${base64url({ alg: 'none', typ: 'JWT', kid: rsa.kid })}.${base64url(claims)}.c2lnbmF0dXJl`,
      idp.mint('user-1', { alg: 'EdDSA' }),
      await mintDevToken('user-1', { issuer: idp.issuer, audience: idp.audience }),
    ];
    for (const token of confused) expectUnauthenticated(await send(world, token));
    expect(jwksFetches(idp)).toBe(1);
    expect(world.upstreams.accounts.count()).toBe(0);
  });

  it('refuses an expired, too old, foreign-issuer, foreign-audience or subjectless token: 401', async () => {
    const { world, idp, clock } = await setup();
    const now = nowSeconds(clock);
    expect((await send(world, idp.mint('user-1', { iat: now - 86_400 + 60, expiresIn: 86_400 }))).status).toBe(200);
    const refused = [
      idp.mint('user-1', { iat: now - 120, expiresIn: 60 }),
      idp.mint('user-1', { iat: now - 86_400 - 60, expiresIn: 2 * 86_400 }),
      idp.mint('user-1', { issuer: 'https://another-tenant.example/' }),
      idp.mint('user-1', { audience: 'another-api' }),
      idp.mint(''),
      idp.mint('user-1', { claims: { iat: undefined } }),
    ];
    for (const token of refused) expectUnauthenticated(await send(world, token));
    expect(jwksFetches(idp)).toBe(1);
  });

  it('after a rotation, 100 concurrent tokens of the new kid cost exactly one JWKS fetch', async () => {
    const { world, idp, clock } = await setup();
    const before = idp.mint('user-1');
    expect((await send(world, before)).status).toBe(200);
    const [newKid] = idp.rotate({ alg: 'RS256' });
    const tokens = Array.from({ length: 100 }, (_, i) => idp.mint(`user-${(i % 20) + 1}`));
    expect(new Set(tokens.map((token) => decodeProtectedHeader(token).kid))).toEqual(new Set([newKid]));
    // Within the cooldown of the first fetch a new kid is not fetched for: that is what keeps a flood of made-up kids off the provider.
    expectUnauthenticated(await send(world, idp.mint('user-1')));
    expect(jwksFetches(idp)).toBe(1);

    clock.advance(COOLDOWN_MS);
    const answers = await Promise.all(tokens.map((token) => send(world, token)));
    expect(answers.map((res) => res.status)).toEqual(Array.from({ length: 100 }, () => 200));
    expect(jwksFetches(idp)).toBe(2);
    // The replaced key is still published, so its tokens still verify.
    expect((await send(world, idp.mint('user-1', { kid: decodeProtectedHeader(before).kid }))).status).toBe(200);
    expect(jwksFetches(idp)).toBe(2);
  });

  it('stops verifying a key the provider dropped once it has fetched the set again', async () => {
    const { world, idp, clock } = await setup();
    const old = idp.mint('user-1', { alg: 'ES256' });
    const oldKid = decodeProtectedHeader(old).kid;
    expect((await send(world, old)).status).toBe(200);
    idp.rotate({ alg: 'ES256', keepOld: false });
    clock.advance(COOLDOWN_MS);
    expect((await send(world, idp.mint('user-2', { alg: 'ES256' }))).status).toBe(200);
    expect(jwksFetches(idp)).toBe(2);
    // Signed with the dropped key itself (a fresh token: the one already verified is remembered until it expires).
    expectUnauthenticated(await send(world, idp.mint('user-3', { kid: oldKid })));
    expect(jwksFetches(idp)).toBe(2);
  });

  it('forgets a verified token once the key set is due for a refresh, so a dropped key stops working for it too', async () => {
    const { world, idp, clock } = await setup();
    const old = idp.mint('user-1', { alg: 'ES256' });
    expect((await send(world, old)).status).toBe(200);
    idp.rotate({ alg: 'ES256', keepOld: false });
    clock.advance(REFRESH_AFTER_MS);
    // A token of the new key makes the gateway fetch the set that no longer has the old key.
    expect((await send(world, idp.mint('user-2', { alg: 'ES256' }))).status).toBe(200);
    expect(jwksFetches(idp)).toBe(2);
    // Remembered until its own expiry, this token would still pass; it is verified again and refused.
    expectUnauthenticated(await send(world, old));
    expect(jwksFetches(idp)).toBe(2);
  });

  it('made-up kids cost one JWKS fetch per cooldown, whatever their number', async () => {
    const { world, idp, clock } = await setup();
    expect((await send(world, idp.mint('user-1'))).status).toBe(200);
    clock.advance(COOLDOWN_MS);
    const flood = Array.from({ length: 20 }, (_, i) => idp.mint('user-1', { kid: `made-up-${i}` }));
    for (const res of await Promise.all(flood.map((token) => send(world, token)))) expectUnauthenticated(res);
    expect(jwksFetches(idp)).toBe(2);
    for (const res of await Promise.all(flood.map((token) => send(world, token)))) expectUnauthenticated(res);
    expect(jwksFetches(idp)).toBe(2);
  });

  it('while the provider is down, cached keys keep working and an unknown kid is a logged 401, never a 500', async () => {
    const { world, idp, clock, nextLog } = await setup();
    expect((await send(world, idp.mint('user-1', { alg: 'RS256' }))).status).toBe(200);
    const down = idp.fault({ kind: 'status', status: 500 }, { match: { path: JWKS_PATH } });

    // The keys are due for a refresh: it fails in the background, and these tokens still verify.
    clock.advance(REFRESH_AFTER_MS);
    const backgroundFailure = nextLog('identity provider key set fetch failed');
    expect((await send(world, idp.mint('user-2', { alg: 'RS256' }), ME)).body.data).toEqual({ me: { id: 'user-2' } });
    expect((await backgroundFailure)['reason']).toBe('status 500');
    expect((await send(world, idp.mint('user-3', { alg: 'ES256' }))).status).toBe(200);
    expect(jwksFetches(idp)).toBe(2);

    // The provider rotated while we could not see it: its new kid cannot be verified.
    const [newKid] = idp.rotate({ alg: 'ES256' });
    const fresh = idp.mint('user-4', { alg: 'ES256' });
    expect(decodeProtectedHeader(fresh).kid).toBe(newKid);
    clock.advance(COOLDOWN_MS);
    const failure = nextLog('identity provider key set fetch failed');
    expectUnauthenticated(await send(world, fresh));
    expect((await failure)['reason']).toBe('status 500');
    expect(jwksFetches(idp)).toBe(3);

    // Down as in unreachable: the connection is cut.
    down.clear();
    idp.fault({ kind: 'reset' }, { match: { path: JWKS_PATH } });
    clock.advance(COOLDOWN_MS);
    const reset = nextLog('identity provider key set fetch failed');
    expectUnauthenticated(await send(world, fresh));
    expect((await reset)['reason']).toMatch(/^network error/);
    expect(jwksFetches(idp)).toBe(4);

    // Back up: the next fetch after the cooldown learns the new key.
    idp.clearFaults();
    expectUnauthenticated(await send(world, fresh));
    expect(jwksFetches(idp)).toBe(4);
    clock.advance(COOLDOWN_MS);
    expect((await send(world, fresh)).status).toBe(200);
    expect(jwksFetches(idp)).toBe(5);
  });

  it('a provider down at boot gives 401s, fetched for once per cooldown, until it answers', async () => {
    const { world, idp, clock } = await setup();
    idp.fault({ kind: 'status', status: 503 }, { match: { path: JWKS_PATH } });
    const token = idp.mint('user-1');
    expectUnauthenticated(await send(world, token));
    expectUnauthenticated(await send(world, token));
    expect(jwksFetches(idp)).toBe(1);
    idp.clearFaults();
    clock.advance(COOLDOWN_MS);
    expect((await send(world, token)).status).toBe(200);
    expect(jwksFetches(idp)).toBe(2);
  });
});
