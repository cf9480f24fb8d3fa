// Bearer tokens issued by the auth provider and checked by the orders provider (same process).
// Expiry is measured by an injected clock, so tests move time instead of waiting.
import { randomBytes } from 'node:crypto';

export interface IssuedToken {
  readonly scopes: ReadonlySet<string>;
  /** Clock time (ms) from which the token is refused. */
  readonly expiresAt: number;
}

export type TokenCheck =
  | { readonly ok: true; readonly token: IssuedToken }
  | { readonly ok: false; readonly reason: 'unknown' | 'expired' };

export interface TokenRegistry {
  /** Tokens issued since the registry was created (revocation does not lower it). */
  readonly issued: number;
  issue(scopes: readonly string[], ttlSeconds: number): string;
  check(token: string): TokenCheck;
  /** Invalidates every token issued so far. */
  revokeAll(): void;
}

export interface TokenRegistryOptions {
  /** @default Date.now */
  readonly now?: () => number;
}

export function createTokenRegistry(options: TokenRegistryOptions = {}): TokenRegistry {
  const now = options.now ?? Date.now;
  const tokens = new Map<string, IssuedToken>();
  let issued = 0;
  return {
    get issued() {
      return issued;
    },
    issue(scopes, ttlSeconds) {
      const token = randomBytes(24).toString('base64url');
      tokens.set(token, { scopes: new Set(scopes), expiresAt: now() + ttlSeconds * 1000 });
      issued += 1;
      return token;
    },
    check(token) {
      const found = tokens.get(token);
      if (!found) return { ok: false, reason: 'unknown' };
      if (now() >= found.expiresAt) return { ok: false, reason: 'expired' };
      return { ok: true, token: found };
    },
    revokeAll() {
      tokens.clear();
    },
  };
}
