// Boot-time configuration: every problem names its variable; production refuses demo secrets.
import { describe, expect, it } from 'vitest';
import { buildConfig } from '../../src/config';
import { ConfigError, parseEnv } from '../../src/config/env';
import { GATEWAY_NODE_ARGS } from '../../src/server/node-options';
import { readFileSync } from 'node:fs';
import { VALID_ENV } from '../helpers/valid-env';

const valid = VALID_ENV;

function problemsOf(env: Record<string, string>): readonly string[] {
  try {
    parseEnv(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

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
    expect(problemsOf({ ...valid, JWT_SECRET: '' })).toEqual(['JWT_SECRET: is required']);
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
    const onByDefault = { windowSeconds: 60, requestsPerWindow: 600, costPerWindow: 50_000, burstRequests: 60, burstSeconds: 2 };
    expect(buildConfig(parseEnv({ ...valid, NODE_ENV: 'production' })).rateLimit).toEqual(onByDefault);
    expect(buildConfig(parseEnv(valid)).rateLimit).toEqual(onByDefault);
    expect(buildConfig(parseEnv({ ...valid, NODE_ENV: 'test' })).rateLimit).toEqual({ ...onByDefault, requestsPerWindow: 0, costPerWindow: 0, burstRequests: 0 });
    expect(buildConfig(parseEnv({ ...valid, RATE_LIMIT_BURST_REQUESTS: '0' })).rateLimit.burstRequests).toBe(0);
    expect(problemsOf({ ...valid, RATE_LIMIT_BURST_SECONDS: '0' })).toEqual(['RATE_LIMIT_BURST_SECONDS: expected a positive integer']);
  });
});

describe('production V8 settings', () => {
  it('npm start runs the gateway with the settings the benchmark measured (src/server/node-options.ts)', () => {
    const scripts = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }).scripts;
    expect(scripts['start']).toBe(`node ${GATEWAY_NODE_ARGS.join(' ')} --import tsx src/dev/launch.ts start`);
  });
});
