// useProviderEvents: serves POST /api/webhooks/<provider> (signed provider events, webhook.ts) and
// POST /api/admin/invalidate (admin-invalidate.ts) from yoga's first hooks, right after the request
// id: they are not GraphQL requests, so the inbound budgets, the allowlist, the limits and the
// request telemetry of /api/graphql never see them (each endpoint bounds its own body and logs and
// counts its own outcomes). On node:http every path reaches yoga; under `next start` the route
// files in src/pages/api/webhooks and src/pages/api/admin hand their requests to the same yoga.
import type { Plugin } from 'graphql-yoga';
import { AppError } from '../../errors/app-error';
import { ADMIN_INVALIDATE_PATH, type AdminInvalidateHandler } from './admin-invalidate';
import { refusedReply } from './replies';
import type { WebhookHandler } from './webhook';

export const WEBHOOK_PATH_PREFIX = '/api/webhooks/';

/** Provider names are the registry's: lower-case words; anything else cannot be one. */
const PROVIDER_NAME = /^[a-z][a-z0-9-]{0,31}$/;

export interface ProviderEventsOptions {
  readonly webhook: WebhookHandler;
  readonly admin: AdminInvalidateHandler;
  readonly isDev: boolean;
}

/** True for the paths this plugin answers (the node server routes them to yoga, node-server.ts). */
export function isProviderEventsPath(path: string): boolean {
  return path === ADMIN_INVALIDATE_PATH || path.startsWith(WEBHOOK_PATH_PREFIX);
}

export function useProviderEvents(options: ProviderEventsOptions): Plugin {
  return {
    async onRequest({ request, url, endResponse, fetchAPI }) {
      const path = url.pathname;
      if (path === ADMIN_INVALIDATE_PATH) {
        endResponse(await options.admin(request, fetchAPI));
        return;
      }
      if (!path.startsWith(WEBHOOK_PATH_PREFIX)) return;
      const name = path.slice(WEBHOOK_PATH_PREFIX.length);
      endResponse(PROVIDER_NAME.test(name) ? await options.webhook(request, name, fetchAPI) : refusedReply(request, new AppError('BAD_REQUEST', 'Not found.', { status: 'notFound' }), options.isDev, fetchAPI));
    },
  };
}
