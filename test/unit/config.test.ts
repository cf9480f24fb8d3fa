// Boot-time configuration: every problem names its variable; production refuses demo secrets.
import { describe, expect, it } from 'vitest';
import { buildConfig, parseEnv } from '../../src/server/config';
import { GATEWAY_NODE_ARGS } from '../../src/server/node-options';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { configProblems, VALID_ENV } from '../helpers/valid-env';

const valid = VALID_ENV;

const problemsOf = configProblems;

describe('parseEnv', () => {
  it('accepts a complete environment and fills the defaults', () => {
    const config = buildConfig(parseEnv(valid));
    expect(config.requestDeadlineMs).toBe(10_000);
    expect(config.providers.orders.attemptTimeoutMs).toBe(3_000);
    expect(config.persistedOperations.mode).toBe('off');
    expect(Object.isFrozen(config.providers.orders)).toBe(true);
    expect(config.v8Pretenuring).toBe(false);
  });

  it('keeps V8 pretenuring only when V8_PRETENURING says so, and refuses anything but a flag', () => {
    expect(buildConfig(parseEnv({ ...valid, V8_PRETENURING: '1' })).v8Pretenuring).toBe(true);
    expect(problemsOf({ ...valid, V8_PRETENURING: 'yes' })).toEqual(['V8_PRETENURING: expected 1/0/true/false']);
  });

  it('names a missing variable', () => {
    const { CATALOG_URL: _omit, ...rest } = valid;
    expect(problemsOf(rest)).toEqual(['CATALOG_URL: is required']);
  });

  it('names a malformed variable and says what is expected', () => {
    expect(problemsOf({ ...valid, ORDERS_URL: 'ftp://x', REQUEST_DEADLINE_MS: 'soon' })).toEqual([
      'ORDERS_URL: expected an http(s) URL',
      'REQUEST_DEADLINE_MS: expected a number',
    ]);
  });

  it('treats empty strings as unset', () => {
    expect(problemsOf({ ...valid, JWT_SECRET: '' })).toEqual([
      "JWT_SECRET: is required unless JWT_JWKS_URL is set (JWT_JWKS_URL: your identity provider's key set; JWT_SECRET: HS256, for development and tests)",
    ]);
  });

  it('refuses demo secrets in production unless DEMO=1', () => {
    const demoish = { ...valid, NODE_ENV: 'production', CATALOG_API_KEY: 'dev-catalog-key' };
    expect(problemsOf(demoish)).toEqual(['CATALOG_API_KEY: a demo secret cannot be used in production (set DEMO=1 for the demo)']);
    expect(problemsOf({ ...demoish, DEMO: '1' })).toEqual([]);
  });

  it('turns the outbound bucket off with UPSTREAM_RATE_PER_SECOND=0, and checks the admission saturation range', () => {
    expect(buildConfig(parseEnv(valid)).providers.catalog.rateLimit).toEqual({ ratePerSecond: 200, burst: 50 });
    expect(buildConfig(parseEnv({ ...valid, UPSTREAM_RATE_PER_SECOND: '0' })).providers.catalog.rateLimit).toBeUndefined();
    expect(problemsOf({ ...valid, UPSTREAM_RATE_PER_SECOND: '-1' })).toEqual(['UPSTREAM_RATE_PER_SECOND: expected 0 or more']);
    expect(buildConfig(parseEnv(valid)).admission.saturation).toBe(0.97);
    expect(problemsOf({ ...valid, ADMISSION_SATURATION: '1.5' })).toEqual(['ADMISSION_SATURATION: expected 0.5 to 1']);
  });

  it('enforces the allowlist by default in production', () => {
    expect(buildConfig(parseEnv({ ...valid, NODE_ENV: 'production' })).persistedOperations.mode).toBe('enforce');
  });

  it('defaults the inbound budgets, the burst one included, and turns them all off in test unless asked', () => {
    const onByDefault = { windowSeconds: 60, requestsPerWindow: 600, costPerWindow: 50_000, burstRequests: 60, burstSeconds: 2, leaseFraction: 0.1 };
    expect(buildConfig(parseEnv({ ...valid, NODE_ENV: 'production' })).rateLimit).toEqual(onByDefault);
    expect(buildConfig(parseEnv(valid)).rateLimit).toEqual(onByDefault);
    expect(buildConfig(parseEnv({ ...valid, NODE_ENV: 'test' })).rateLimit).toEqual({ ...onByDefault, requestsPerWindow: 0, costPerWindow: 0, burstRequests: 0 });
    expect(buildConfig(parseEnv({ ...valid, RATE_LIMIT_BURST_REQUESTS: '0' })).rateLimit.burstRequests).toBe(0);
    expect(problemsOf({ ...valid, RATE_LIMIT_BURST_SECONDS: '0' })).toEqual(['RATE_LIMIT_BURST_SECONDS: expected a positive integer']);
  });

  it('leases 10 % of each limit per Redis call by default, 0 (exact) to 1 when set', () => {
    expect(buildConfig(parseEnv({ ...valid, RATE_LIMIT_LEASE_FRACTION: '0' })).rateLimit.leaseFraction).toBe(0);
    expect(buildConfig(parseEnv({ ...valid, RATE_LIMIT_LEASE_FRACTION: '1' })).rateLimit.leaseFraction).toBe(1);
    expect(problemsOf({ ...valid, RATE_LIMIT_LEASE_FRACTION: '1.01' })).toEqual(['RATE_LIMIT_LEASE_FRACTION: expected 0 to 1']);
    expect(problemsOf({ ...valid, RATE_LIMIT_LEASE_FRACTION: '-0.1' })).toEqual(['RATE_LIMIT_LEASE_FRACTION: expected 0 to 1']);
    expect(problemsOf({ ...valid, RATE_LIMIT_LEASE_FRACTION: 'half' })).toEqual(['RATE_LIMIT_LEASE_FRACTION: expected a number']);
  });
});

describe('caller token keys (JWT_*)', () => {
  const { JWT_SECRET: _secret, ...withoutSecret } = valid;
  const jwks = { ...withoutSecret, JWT_JWKS_URL: 'https://tenant.example/.well-known/jwks.json' };

  it('verifies against a JWKS with RS256 and ES256 by default, and keeps HS256 for the secret', () => {
    const fromJwks = buildConfig(parseEnv(jwks)).jwt;
    expect(fromJwks).toEqual({
      keys: { kind: 'jwks', url: 'https://tenant.example/.well-known/jwks.json' },
      algorithms: ['RS256', 'ES256'],
      issuer: 'bff-dev',
      audience: 'bff-gateway',
      clockToleranceSeconds: 30,
      maxAgeSeconds: 86_400,
    });
    expect(buildConfig(parseEnv(valid)).jwt).toMatchObject({ keys: { kind: 'secret', secret: valid['JWT_SECRET'] }, algorithms: ['HS256'] });
    expect(buildConfig(parseEnv({ ...jwks, JWT_ALGORITHMS: ' ES256, EdDSA,ES256', JWT_MAX_AGE_SECONDS: '3600', JWT_CLOCK_TOLERANCE_SECONDS: '0' })).jwt).toMatchObject({
      algorithms: ['ES256', 'EdDSA'],
      maxAgeSeconds: 3600,
      clockToleranceSeconds: 0,
    });
  });

  it('refuses "none" and unknown algorithms, naming JWT_ALGORITHMS', () => {
    expect(problemsOf({ ...jwks, JWT_ALGORITHMS: 'none' })).toEqual(['JWT_ALGORITHMS: "none" is never accepted: an unsigned token proves nothing']);
    expect(problemsOf({ ...jwks, JWT_ALGORITHMS: 'RS256,NONE' })).toEqual(['JWT_ALGORITHMS: "none" is never accepted: an unsigned token proves nothing']);
    expect(problemsOf({ ...jwks, JWT_ALGORITHMS: 'RS265' })[0]).toMatch(/^JWT_ALGORITHMS: unknown algorithm "RS265" \(expected some of RS256, /);
    expect(problemsOf({ ...jwks, JWT_ALGORITHMS: ' , ' })).toEqual(['JWT_ALGORITHMS: expected at least one algorithm']);
  });

  it('refuses HMAC with a JWKS (alg confusion) and asymmetric algorithms with a secret', () => {
    expect(problemsOf({ ...jwks, JWT_ALGORITHMS: 'RS256,HS256' })).toEqual([
      'JWT_ALGORITHMS: HS256 cannot be used with JWT_JWKS_URL (a key set holds public keys; use RS*, PS*, ES* or EdDSA)',
    ]);
    expect(problemsOf({ ...valid, JWT_ALGORITHMS: 'HS256,RS256' })).toEqual(['JWT_ALGORITHMS: RS256 needs JWT_JWKS_URL (JWT_SECRET verifies HS256, HS384, HS512 only)']);
  });

  it('wants exactly one of JWT_SECRET and JWT_JWKS_URL', () => {
    expect(problemsOf(withoutSecret)).toEqual([
      "JWT_SECRET: is required unless JWT_JWKS_URL is set (JWT_JWKS_URL: your identity provider's key set; JWT_SECRET: HS256, for development and tests)",
    ]);
    expect(problemsOf({ ...jwks, JWT_SECRET: valid['JWT_SECRET'] ?? '' })).toEqual(['JWT_SECRET: set JWT_SECRET or JWT_JWKS_URL, not both (a token is verified with one kind of key)']);
  });

  it('wants the JWKS over https in production, except for the demo', () => {
    const plain = { ...jwks, JWT_JWKS_URL: 'http://idp.internal/jwks.json', NODE_ENV: 'production' };
    expect(problemsOf(plain)).toEqual(['JWT_JWKS_URL: expected an https URL in production (keys fetched over http can be swapped on the way)']);
    expect(problemsOf({ ...plain, DEMO: '1' })).toEqual([]);
    expect(problemsOf({ ...plain, NODE_ENV: 'development' })).toEqual([]);
  });
});

describe('production V8 settings', () => {
  it('npm start runs the gateway with the settings the benchmark measured (src/server/node-options.ts)', () => {
    const scripts = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }).scripts;
    // `exec`: npm's signals then reach the launcher, not a `sh` that would die and orphan it (README "Shutdown").
    // The file: the demo launcher (src/dev) only with DEMO=1 or true, else the production entry (src/server).
    const choice = `$([ "$DEMO" = 1 ] || [ "$DEMO" = true ] && echo src/dev/launch.ts start || echo src/server/start.ts)`;
    expect(scripts['start']).toBe(`exec node ${GATEWAY_NODE_ARGS.join(' ')} --import tsx ${choice}`);
  });

  it('npm start runs src/server/start.ts unless DEMO is 1 or true, and passes its arguments on', () => {
    const scripts = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }).scripts;
    // What node would be given: the script under `sh -c` (as npm runs it) with node replaced by echo, and
    // npm's way of passing `-- --standalone` (appended to the command line).
    const argvOf = (demo: string | undefined) => {
      const script = `${(scripts['start'] ?? '').replace(/^exec node /, 'exec echo ')} --standalone`;
      const env = { ...process.env };
      if (demo === undefined) delete env['DEMO'];
      else env['DEMO'] = demo;
      return spawnSync('sh', ['-c', script], { env, encoding: 'utf8' }).stdout.trim();
    };
    const flags = `${GATEWAY_NODE_ARGS.join(' ')} --import tsx`;
    for (const demo of [undefined, '', '0', 'false']) expect(argvOf(demo), `DEMO=${demo}`).toBe(`${flags} src/server/start.ts --standalone`);
    for (const demo of ['1', 'true']) expect(argvOf(demo), `DEMO=${demo}`).toBe(`${flags} src/dev/launch.ts start --standalone`);
  });
});
