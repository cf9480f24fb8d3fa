// A complete environment with production-looking (not demo) secrets, for tests of the config itself:
// one value per variable of every registered provider (by its kind), and the caller's token secret.
import type { ProviderVariableKind } from '../../src/config/provider-variables';
import { ConfigError } from '../../src/config/env';
import { DEFINITIONS } from '../../src/providers';
import { parseEnv } from '../../src/server/config';

// Each URL on its own loopback port, where nothing listens (connections are refused at once).
function exampleOf(name: string, kind: ProviderVariableKind, index: number): string {
  const slug = name.toLowerCase().replaceAll('_', '-');
  if (kind === 'url') return `http://127.0.0.1:${index + 1}`;
  return kind === 'secret' ? `prod-${slug}` : slug;
}

export const VALID_ENV: Readonly<Record<string, string>> = Object.freeze({
  ...Object.fromEntries(
    DEFINITIONS.flatMap((provider) => Object.entries(provider.env)).map(([name, variable], index) => [name, exampleOf(name, variable.kind, index)]),
  ),
  JWT_SECRET: 'a-production-secret-of-at-least-32-chars!',
});

/** The boot problems `parseEnv` names for `env` (none: an empty list). */
export function configProblems(env: Record<string, string>): readonly string[] {
  try {
    parseEnv(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}
