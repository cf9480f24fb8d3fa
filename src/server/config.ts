// The gateway's configuration with its registered providers: the environment schema is every
// provider's variables plus the gateway's own, and `config.providers` has one entry per provider.
// src/config is a leaf that may not import the providers, so they are joined to it here.
import { buildConfigWith, type GatewayConfig as GatewayConfigOf } from '../config';
import { createEnvParser } from '../config/env';
import { perProvider, PROVIDERS, type ProviderName } from '../providers';

const parser = createEnvParser(PROVIDERS);

/** Every variable the gateway reads, the providers' first. */
export const envSchema = parser.schema;

export type Env = ReturnType<typeof parser.parse>;

export type GatewayConfig = GatewayConfigOf<ProviderName>;

/** Parses an environment record (never mutates it). Empty strings count as unset. */
export const parseEnv: (source: Readonly<Record<string, string | undefined>>) => Env = parser.parse;

/** Reads and validates the process's environment (src/config/env.ts is its one reader). */
export const loadEnv: () => Env = parser.load;

export function buildConfig(env: Env): GatewayConfig {
  const values: Readonly<Record<string, unknown>> = env;
  return buildConfigWith(
    env,
    perProvider((_name, definition) => {
      // The schema validated each of these as a string (or left an optional one unset).
      const own = Object.fromEntries(Object.keys(definition.env).flatMap((variable) => (typeof values[variable] === 'string' ? [[variable, values[variable]]] : [])));
      return definition.config(own);
    }),
  );
}
