// Which keys verify callers' tokens (JWT_SECRET or JWT_JWKS_URL) and with which algorithms
// (JWT_ALGORITHMS): the boot-time checks that keep `none` and HMAC-with-a-public-key out.
import type { ListEntry } from './comma-list';
import type { GatewayEnv } from './env';

/** Every `alg` jose verifies; `none` is absent on purpose. */
export const JWS_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519', 'HS256', 'HS384', 'HS512'] as const;

export type JwsAlgorithm = (typeof JWS_ALGORITHMS)[number];

/** Accepted with a JWKS when JWT_ALGORITHMS is unset: what Auth0, Cognito, Entra ID and Keycloak sign with. */
export const DEFAULT_JWKS_ALGORITHMS: readonly JwsAlgorithm[] = ['RS256', 'ES256'];
/** Accepted with JWT_SECRET when JWT_ALGORITHMS is unset. */
export const DEFAULT_SECRET_ALGORITHMS: readonly JwsAlgorithm[] = ['HS256'];

/** Where the verification keys come from. */
export type CallerKeys =
  /** A shared HS256 secret: development and tests. */
  | { readonly kind: 'secret'; readonly secret: string }
  /** An identity provider's JSON Web Key Set (public keys, rotated by the provider). */
  | { readonly kind: 'jwks'; readonly url: string };

export function isHmac(algorithm: string): boolean {
  return algorithm.startsWith('HS');
}

function isJwsAlgorithm(name: string): name is JwsAlgorithm {
  return (JWS_ALGORITHMS as readonly string[]).includes(name);
}

/** One JWT_ALGORITHMS entry (the variable is a comma-separated list), or why it is refused. */
export function parseAlgorithm(entry: string): ListEntry<JwsAlgorithm> {
  if (entry.toLowerCase() === 'none') return { problem: '"none" is never accepted: an unsigned token proves nothing' };
  if (!isJwsAlgorithm(entry)) return { problem: `unknown algorithm "${entry}" (expected some of ${JWS_ALGORITHMS.join(', ')})` };
  return { value: entry };
}

/** Exactly one key source, and algorithms that fit it; each problem names its variable. */
export function callerKeyProblems(env: GatewayEnv): string[] {
  if (env.JWT_SECRET === undefined && env.JWT_JWKS_URL === undefined) {
    return ['JWT_SECRET: is required unless JWT_JWKS_URL is set (JWT_JWKS_URL: your identity provider\'s key set; JWT_SECRET: HS256, for development and tests)'];
  }
  if (env.JWT_SECRET !== undefined && env.JWT_JWKS_URL !== undefined) {
    return ['JWT_SECRET: set JWT_SECRET or JWT_JWKS_URL, not both (a token is verified with one kind of key)'];
  }
  const problems: string[] = [];
  const algorithms = env.JWT_ALGORITHMS ?? [];
  if (env.JWT_JWKS_URL !== undefined) {
    // An HS* token "signed" with the provider's public key as the secret would verify: the alg-confusion attack.
    const hmac = algorithms.filter(isHmac);
    if (hmac.length > 0) problems.push(`JWT_ALGORITHMS: ${hmac.join(', ')} cannot be used with JWT_JWKS_URL (a key set holds public keys; use RS*, PS*, ES* or EdDSA)`);
    if (env.NODE_ENV === 'production' && !env.DEMO && !env.JWT_JWKS_URL.startsWith('https:')) {
      problems.push('JWT_JWKS_URL: expected an https URL in production (keys fetched over http can be swapped on the way)');
    }
  } else {
    const asymmetric = algorithms.filter((algorithm) => !isHmac(algorithm));
    if (asymmetric.length > 0) problems.push(`JWT_ALGORITHMS: ${asymmetric.join(', ')} needs JWT_JWKS_URL (JWT_SECRET verifies HS256, HS384, HS512 only)`);
  }
  return problems;
}

/** The key source and algorithms of a validated environment (callerKeyProblems found nothing). */
export function callerKeysOf(env: GatewayEnv): { keys: CallerKeys; algorithms: readonly JwsAlgorithm[] } {
  if (env.JWT_JWKS_URL !== undefined) return { keys: { kind: 'jwks', url: env.JWT_JWKS_URL }, algorithms: env.JWT_ALGORITHMS ?? DEFAULT_JWKS_ALGORITHMS };
  if (env.JWT_SECRET === undefined) throw new Error('callerKeysOf: neither JWT_SECRET nor JWT_JWKS_URL (parseEnv refuses that)');
  return { keys: { kind: 'secret', secret: env.JWT_SECRET }, algorithms: env.JWT_ALGORITHMS ?? DEFAULT_SECRET_ALGORITHMS };
}
