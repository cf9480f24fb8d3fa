// useHealth: liveness and readiness probes for the node:http entry, where every path reaches yoga.
// (Under Next.js the route files in src/app/api/health/ answer them with the same replies.)
import type { Plugin } from 'graphql-yoga';
import { HEALTH_PATHS, type Health } from '../../observability/health';
import { toResponse } from '../../observability/ops-reply';

export function useHealth(health: Health): Plugin {
  return {
    onRequest({ url, endResponse, fetchAPI }) {
      const path = url.pathname;
      if (path === HEALTH_PATHS.live) {
        endResponse(toResponse(health.live(), fetchAPI.Response));
        return undefined;
      }
      if (path === HEALTH_PATHS.ready) return health.ready().then((reply) => endResponse(toResponse(reply, fetchAPI.Response)));
      return undefined;
    },
  };
}
