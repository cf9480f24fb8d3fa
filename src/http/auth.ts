// Credentials toward one provider as request headers; for OAuth2 also the "refresh once on 401" hook.
import { createPool } from './agent';
import type { ResolvedOptions } from './options';
import { createTokenSource, type TokenSource } from './oauth';
import type { CallContext } from './types';

export interface AuthHeaders {
  readonly headers: Readonly<Record<string, string>>;
  /** The OAuth2 token used, so a 401 can invalidate exactly that one. */
  readonly token?: string;
}

export interface Auth {
  headers(ctx: CallContext): Promise<AuthHeaders>;
  /** After a 401: true when a fresh credential may fix it (OAuth2), so one re-send is worth it. */
  unauthorized(used: AuthHeaders): boolean;
  close(): Promise<void>;
}

const NO_HEADERS: AuthHeaders = { headers: {} };

export function createAuth(options: ResolvedOptions): Auth {
  const auth = options.auth;
  switch (auth.kind) {
    case 'none':
      return { headers: async () => NO_HEADERS, unauthorized: () => false, close: async () => {} };
    case 'apiKey': {
      const fixed: AuthHeaders = { headers: { [auth.header.toLowerCase()]: auth.value } };
      return { headers: async () => fixed, unauthorized: () => false, close: async () => {} };
    }
    case 'bearer': {
      const fixed: AuthHeaders = { headers: { authorization: `Bearer ${auth.token}` } };
      return { headers: async () => fixed, unauthorized: () => false, close: async () => {} };
    }
    case 'oauth2': {
      const tokenUrl = new URL(auth.tokenUrl);
      const pool = createPool(tokenUrl.origin, {
        connections: 2,
        connectMs: options.timeouts.connectMs,
        keepAliveMs: options.timeouts.keepAliveMs,
        attemptMs: options.timeouts.attemptMs,
      });
      const source: TokenSource = createTokenSource({
        provider: options.name,
        tokenUrl,
        clientId: auth.clientId,
        clientSecret: auth.clientSecret,
        scope: auth.scope,
        skewMs: auth.skewMs ?? 30_000,
        timeoutMs: options.timeouts.attemptMs,
        clock: options.clock,
        pool,
        shared:
          options.shared === undefined
            ? undefined
            : { redis: options.shared.redis, key: `${options.shared.keyPrefix}oauth:${options.name}:${auth.clientId}` },
      });
      return {
        async headers(ctx) {
          const token = await source.get(ctx);
          return { headers: { authorization: `Bearer ${token}` }, token };
        },
        unauthorized(used) {
          if (used.token === undefined) return false;
          source.invalidate(used.token);
          return true;
        },
        close: () => pool.close(),
      };
    }
  }
}
