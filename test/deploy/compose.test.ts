// compose.yaml: the gateway built from the Dockerfile next to Redis, its environment (the service's
// `environment` over the example env_file over the image's ENV) known to and accepted by
// src/config/env.ts, Redis' address a service of the file, and a stop grace period that outlasts the
// gateway's shutdown.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { buildConfig, envSchema, parseEnv } from '../../src/server/config';
import { parseDockerfile } from './dockerfile-steps';

interface Service {
  build?: string;
  image?: string;
  environment?: Record<string, string>;
  env_file?: { path: string; required: boolean }[];
  depends_on?: Record<string, { condition: string }>;
  stop_grace_period?: string;
  read_only?: boolean;
  tmpfs?: string[];
  healthcheck?: { test: string[] };
}

const compose = parse(readFileSync('compose.yaml', 'utf8')) as { services: Record<string, Service> };
const gateway = compose.services['gateway'] ?? {};
const runtime = parseDockerfile(readFileSync('Dockerfile', 'utf8')).stages.at(-1);
const imageEnv: Record<string, string> = Object.assign({}, ...(runtime?.steps ?? []).flatMap((s) => (s.kind === 'ENV' ? [s.vars] : [])));
const workdir = runtime?.steps.flatMap((s) => (s.kind === 'WORKDIR' ? [s.path] : [])).at(-1);

/** KEY=value lines of an env file (comments and blank lines skipped). */
function envFile(path: string): Record<string, string> {
  return Object.fromEntries(
    readFileSync(path, 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '' && !l.trim().startsWith('#'))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
}

describe('compose.yaml', () => {
  it('builds the gateway from the Dockerfile and starts it after a healthy Redis', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['gateway', 'redis']);
    expect(gateway.build).toBe('.');
    expect(gateway.depends_on).toEqual({ redis: { condition: 'service_healthy' } });
    expect(compose.services['redis']?.healthcheck?.test).toEqual(['CMD', 'redis-cli', 'ping']);
    // The image's HEALTHCHECK is kept (not overridden here).
    expect(gateway.healthcheck).toBeUndefined();
  });

  it('sets only variables src/config/env.ts knows, and the example environment passes its validation', () => {
    expect(gateway.env_file).toEqual([{ path: 'deploy/compose/gateway.env', required: true }]);
    const example = envFile('deploy/compose/gateway.env.example');
    const known = new Set(Object.keys(envSchema.shape));
    expect([...Object.keys(example), ...Object.keys(gateway.environment ?? {})].filter((name) => !known.has(name))).toEqual([]);
    const env = parseEnv({ ...imageEnv, ...example, ...gateway.environment });
    expect(env.NODE_ENV).toBe('production');
    const redis = new URL(env.REDIS_URL ?? '');
    expect(Object.keys(compose.services)).toContain(redis.hostname);
  });

  it('gives the shutdown its time and a read-only root with writable scratch dirs', () => {
    const example = envFile('deploy/compose/gateway.env.example');
    const { shutdown } = buildConfig(parseEnv({ ...imageEnv, ...example, ...gateway.environment }));
    const grace = /^(\d+)s$/.exec(gateway.stop_grace_period ?? '')?.[1];
    expect(Number(grace) * 1000).toBeGreaterThan(shutdown.drainMs + shutdown.timeoutMs + 5000);
    expect(gateway.read_only).toBe(true);
    expect(gateway.tmpfs).toEqual(['/tmp', `${workdir}/.next/cache`]);
  });
});
