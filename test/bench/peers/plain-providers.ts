// The peers' upstream layer: OUR provider clients (src/providers: same calls, same zod checks,
// same mapping) over a bare undici Pool per origin: no deadline, retry, breaker, throttle, events
// or token refresh. The OAuth2 token is fetched once at start. So peer vs ours = GraphQL server +
// our pipeline + our resilient core; the upstream work is the same.
// The peers call `pool.request` and read the body as text, as a Yoga user would; the floors use
// the cheapest way undici offers, ours' bare attempt (a dispatch handler collecting the body,
// src/http/dispatch.ts), so that no target can spend less on the wire than a floor does.
import { Pool, request } from 'undici';
import { sendOnce } from '../../../src/http/dispatch';
import type { ProviderConfig } from '../../../src/config';
import type { ProviderHttpClient, UpstreamRequest } from '../../../src/http/types';
import { createProviders, PROVIDER_NAMES, type PerProvider, type Providers } from '../../../src/providers';
import type { GatewayConfig } from '../../../src/server/config';

function wirePath(basePath: string, req: UpstreamRequest): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(req.query ?? {})) if (value !== undefined) params.append(name, String(value));
  return `${basePath}${req.path}${params.size > 0 ? `?${params.toString()}` : ''}`;
}

/** How a bare client reaches the wire: `pool.request` (the peers) or a raw dispatch (the floors). */
export type Wire = 'request' | 'dispatch';

/** Ample for a loopback provider; the floors need a timer like any real call, not a limit. */
const FLOOR_ATTEMPT_MS = 60_000;

async function roundTrip(pool: Pool, wire: Wire, options: { method: UpstreamRequest['method']; path: string; headers: Record<string, string>; body: string | undefined }): Promise<{ status: number; text: string }> {
  if (wire === 'dispatch') return sendOnce(pool, options, FLOOR_ATTEMPT_MS, undefined);
  const res = await pool.request({ ...options, body: options.body ?? null });
  return { status: res.statusCode, text: await res.body.text() };
}

function createPlainClient(name: string, baseUrl: string, authHeaders: Readonly<Record<string, string>>, wire: Wire): ProviderHttpClient {
  const url = new URL(baseUrl);
  const basePath = url.pathname.replace(/\/+$/, '');
  const pool = new Pool(url.origin, { connections: 32, pipelining: 1, keepAliveTimeout: 4000 });
  return {
    provider: name,
    async request(req) {
      const body = req.body === undefined ? undefined : JSON.stringify(req.body);
      const headers: Record<string, string> = { accept: 'application/json', ...authHeaders, ...req.headers };
      if (body !== undefined) headers['content-type'] = 'application/json';
      if (req.idempotencyKey !== undefined) headers['idempotency-key'] = req.idempotencyKey;
      const { status, text } = await roundTrip(pool, wire, { method: req.method, path: wirePath(basePath, req), headers, body });
      return { status, headers: {}, body: text === '' ? undefined : (JSON.parse(text) as unknown) };
    },
    close: () => pool.close(),
  };
}

async function authHeaders(provider: ProviderConfig): Promise<Record<string, string>> {
  const auth = provider.auth;
  switch (auth.kind) {
    case 'apiKey':
      return { [auth.header.toLowerCase()]: auth.value };
    case 'bearer':
      return { authorization: `Bearer ${auth.token}` };
    case 'oauth2': {
      const basic = Buffer.from(`${encodeURIComponent(auth.clientId)}:${encodeURIComponent(auth.clientSecret)}`).toString('base64');
      const res = await request(auth.tokenUrl, {
        method: 'POST',
        headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: new URLSearchParams({ grant_type: 'client_credentials', scope: auth.scope }).toString(),
      });
      const body: unknown = await res.body.json();
      const token = typeof body === 'object' && body !== null && 'access_token' in body ? body.access_token : undefined;
      if (res.statusCode !== 200 || typeof token !== 'string') throw new Error(`${provider.name}: token endpoint answered ${res.statusCode}`);
      return { authorization: `Bearer ${token}` };
    }
  }
}

export interface PlainProviders {
  readonly providers: Providers;
  close(): Promise<void>;
}

/** One bare HTTP client per registered provider, by name (the execution bench records through them). */
/** `wire`: @default 'request' (the floors pass 'dispatch'). */
export async function createPlainHttp(config: GatewayConfig, wire: Wire = 'request'): Promise<{ readonly http: PerProvider<ProviderHttpClient>; close(): Promise<void> }> {
  const clients = await Promise.all(PROVIDER_NAMES.map(async (name) => [name, createPlainClient(name, config.providers[name].baseUrl, await authHeaders(config.providers[name]), wire)] as const));
  return {
    // One client per registered provider, by name.
    http: Object.fromEntries(clients) as PerProvider<ProviderHttpClient>,
    close: async () => {
      await Promise.all(clients.map(([, c]) => c.close()));
    },
  };
}

export async function createPlainProviders(config: GatewayConfig, wire: Wire = 'request'): Promise<PlainProviders> {
  const { http, close } = await createPlainHttp(config, wire);
  return { providers: createProviders(http), close };
}
