// CORS_ORIGINS and RESPONSE_CACHE_STALE_WHILE_REVALIDATE at boot: exact origins only, a bad entry
// stops the boot naming it, and the defaults differ between production and development.
import { describe, expect, it } from 'vitest';
import { buildConfig, parseEnv } from '../../src/server/config';
import { configProblems, VALID_ENV } from '../helpers/valid-env';

const problemsOf = configProblems;

const EXPECTED = 'expected an exact origin: scheme://host[:port], no path, no trailing slash, no wildcard (e.g. https://shop.example.com)';

describe('CORS_ORIGINS', () => {
  it('accepts exact origins, comma-separated, trimmed and without duplicates', () => {
    const config = buildConfig(parseEnv({ ...VALID_ENV, NODE_ENV: 'production', CORS_ORIGINS: 'https://shop.example.com, http://localhost:5173,https://shop.example.com' }));
    expect(config.corsOrigins).toEqual(['https://shop.example.com', 'http://localhost:5173']);
  });

  it('names every bad entry, and says what a browser would send instead where there is one', () => {
    expect(problemsOf({ ...VALID_ENV, CORS_ORIGINS: 'https://ok.example,*,https://*.shop.example,https://shop.example/,https://Shop.example:443,ftp://files.example,null' })).toEqual([
      `CORS_ORIGINS: "*": wildcards are not accepted, list each origin (${EXPECTED})`,
      `CORS_ORIGINS: "https://*.shop.example": wildcards are not accepted, list each origin (${EXPECTED})`,
      `CORS_ORIGINS: "https://shop.example/" is not an origin as browsers send it; did you mean "https://shop.example"? (${EXPECTED})`,
      `CORS_ORIGINS: "https://Shop.example:443" is not an origin as browsers send it; did you mean "https://shop.example"? (${EXPECTED})`,
      `CORS_ORIGINS: "ftp://files.example" is not an http(s) origin (${EXPECTED})`,
      `CORS_ORIGINS: "null" is not an origin (${EXPECTED})`,
    ]);
  });

  it('defaults to none in production and to the local dev server otherwise', () => {
    expect(buildConfig(parseEnv({ ...VALID_ENV, NODE_ENV: 'production' })).corsOrigins).toEqual([]);
    for (const env of ['development', 'test']) {
      expect(buildConfig(parseEnv({ ...VALID_ENV, NODE_ENV: env })).corsOrigins).toEqual(['http://localhost:3000', 'http://127.0.0.1:3000']);
    }
  });
});

describe('RESPONSE_CACHE_STALE_WHILE_REVALIDATE', () => {
  it('defaults to 60 seconds, takes 0 (directive omitted) and refuses a negative value', () => {
    expect(buildConfig(parseEnv(VALID_ENV)).responseCache.staleWhileRevalidateSeconds).toBe(60);
    expect(buildConfig(parseEnv({ ...VALID_ENV, RESPONSE_CACHE_STALE_WHILE_REVALIDATE: '0' })).responseCache.staleWhileRevalidateSeconds).toBe(0);
    expect(problemsOf({ ...VALID_ENV, RESPONSE_CACHE_STALE_WHILE_REVALIDATE: '-1' })).toEqual(['RESPONSE_CACHE_STALE_WHILE_REVALIDATE: expected 0 or more']);
  });
});
