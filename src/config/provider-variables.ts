// The environment variables a provider module declares (its `env`, src/providers/<name>/index.ts):
// each one required, a URL, a secret or a plain value, checked at boot with the gateway's own and
// with the same messages. Secrets are the ones a production start refuses when they are demo values.
import { z } from 'zod';

export const url = z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' });
export const secret = z.string().min(8, { error: 'expected a secret of at least 8 characters' });

export type ProviderVariableKind = 'url' | 'secret' | 'text';

export interface ProviderVariable {
  /** What the value is: the tests build a complete environment from it (test/helpers/valid-env.ts). */
  readonly kind: ProviderVariableKind;
  readonly schema: z.ZodType<string>;
  /** Unset is allowed (the feature it enables stays off, e.g. a provider's webhook answers 404). @default false */
  readonly optional?: boolean;
}

/** A provider's variables by name (`CATALOG_URL`, `CATALOG_API_KEY`); the names are the operator's, keep them stable. */
export type ProviderVariables = Readonly<Record<string, ProviderVariable>>;

/** The validated values of a provider's variables, as its `config` receives them. */
export type ProviderEnvOf<V extends ProviderVariables> = { readonly [K in keyof V]: V[K] extends { readonly optional: true } ? string | undefined : string };

export const providerVariable = {
  /** An http(s) URL: the provider's base URL, its token endpoint. */
  url: (): ProviderVariable => ({ kind: 'url', schema: url }),
  /** An API key, token or client secret (8 characters or more); refused in production when it starts with `dev-`. */
  secret: (): ProviderVariable => ({ kind: 'secret', schema: secret }),
  /** A secret that may be left unset (a webhook signing secret: unset, that provider's webhook answers 404). */
  optionalSecret: (): ProviderVariable & { readonly optional: true } => ({ kind: 'secret', schema: secret, optional: true }),
  /** Any non-empty value that is not a secret (an OAuth2 client id); `expected` completes "expected …". */
  text: (expected: string): ProviderVariable => ({ kind: 'text', schema: z.string().min(1, { error: `expected ${expected}` }) }),
};
