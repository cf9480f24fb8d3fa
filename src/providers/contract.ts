// A provider's contract probes (src/providers/<name>/probes.ts): a few read-only calls and the wire
// schema each answer must satisfy (the runtime's own zod schemas, no second copy), which
// `npm run providers:check` runs against the configured providers before a deploy.
import type { z } from 'zod';
import type { UpstreamRequest } from '../http/types';

/** Sample ids the probes' calls are made with, by name (`productId`); a staging run gives its own (`--sample`). */
export type ProbeSamples = Readonly<Record<string, string>>;

/** A REST call: a GET whose body must satisfy `schema`. */
export interface RestProbe {
  readonly kind: 'rest';
  /** The call, made with the contract's samples; the same path, query and route template as the runtime client's. */
  request(samples: ProbeSamples): UpstreamRequest & { readonly method: 'GET' };
  /** What the runtime parses this answer with. */
  readonly schema: z.ZodType;
}

/** A GraphQL query whose `data` must satisfy `schema`. */
export interface GraphQLProbe {
  readonly kind: 'graphql';
  /** One of the contract's `documents`, by operation name. */
  readonly operation: string;
  variables(samples: ProbeSamples): Record<string, unknown>;
  /** What the runtime parses `data` with. */
  readonly schema: z.ZodType;
}

export type ContractProbe = RestProbe | GraphQLProbe;

export interface ProviderContract {
  /** The probes' sample ids (those of the simulated providers); `--sample <provider>.<name>=<id>` replaces one. */
  readonly samples: ProbeSamples;
  readonly probes: readonly ContractProbe[];
  /**
   * GraphQL providers: every document the gateway sends them, by operation name (the client's exported
   * constants), validated against the provider's schema (introspected, or a recorded SDL file).
   */
  readonly documents?: Readonly<Record<string, string>>;
}

/** Declares a provider's contract; give it to defineProvider as `contract`. */
export function defineContract<const Samples extends ProbeSamples>(contract: {
  readonly samples: Samples;
  readonly probes: readonly (
    | (Omit<RestProbe, 'request'> & { request(samples: Samples): ReturnType<RestProbe['request']> })
    | (Omit<GraphQLProbe, 'variables'> & { variables(samples: Samples): Record<string, unknown> })
  )[];
  readonly documents?: Readonly<Record<string, string>>;
}): ProviderContract {
  // The runner always passes the contract's samples (or replacements of the same names), so the narrower parameter holds.
  return contract as ProviderContract;
}
