// The same Yoga behind a plain node:http server (tests, benchmark, and deployments that skip
// Next's router): measures the gateway apart from Next.js overhead.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ServerConfig } from '../config';
import { SERVER_DEFAULTS } from '../config/env';
import type { Logger } from '../observability/logger';
import { isProviderEventsPath } from '../plugins/provider-events/use-provider-events';
import { cachedGetLaneOf } from './pipeline-services';
import { applyServerLimits, connectionsCheckingIntervalOf } from './server-limits';
import type { GatewayYoga } from './yoga';

export interface NodeServerHandle extends AsyncDisposable {
  readonly url: string;
  readonly server: Server;
  close(): Promise<void>;
}

export interface NodeServerOptions {
  /** @default 0 (a free port) */
  readonly port?: number;
  /** @default '127.0.0.1' */
  readonly host?: string;
  /**
   * Serves every path that is not the gateway's (`/api/graphql`, `/api/health/*`, `/api/metrics`):
   * Next.js's request handler in the custom-server deployment. @default none (yoga answers 404)
   */
  readonly fallback?: (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;
  /** Header, request and keep-alive timeouts and the connection cap (`config.server`, SERVER_*). @default SERVER_DEFAULTS */
  readonly limits?: ServerConfig;
  /** Gets one line per request refused by Node (408 on a timeout, 400, 431) and per burst of connections over the cap. @default none (nothing logged) */
  readonly logger?: Logger;
}

// `health\/(live|ready)`: the former `health\/` followed by `(\/|\?|$)` matched no probe path, so the
// custom server handed probes to Next's App Router routes.
const GATEWAY_PATHS = /^\/api\/(graphql|health\/(live|ready)|metrics)(\/|\?|$)/;

/** The paths yoga answers: its own, and the provider events' (the plugin's own test, so that the two cannot disagree). */
function isGatewayPath(url: string): boolean {
  if (GATEWAY_PATHS.test(url)) return true;
  const query = url.indexOf('?');
  return isProviderEventsPath(query === -1 ? url : url.slice(0, query));
}

/** A node:http handler that settles once the request has been answered. */
export type GatewayNodeHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/**
 * Yoga behind the node lane for cached GETs, when the gateway has one (cached-get-lane.ts): the
 * node:http handler of the gateway's paths, here and in the Next.js API route (src/pages/api/graphql.ts).
 */
export function gatewayHandler(yoga: GatewayYoga): GatewayNodeHandler {
  const lane = cachedGetLaneOf(yoga);
  if (lane === undefined) return (req, res) => yoga(req, res);
  return (req, res) => {
    if (!lane.accepts(req)) return yoga(req, res);
    return lane.serve(req, res).then(
      (answered) => (answered ? undefined : yoga(req, res)),
      // The lane does not reject; should it ever, yoga answers what was not answered yet.
      () => (res.headersSent ? undefined : yoga(req, res)),
    );
  };
}

export async function startNodeServer(yoga: GatewayYoga, options: NodeServerOptions = {}): Promise<NodeServerHandle> {
  const { fallback } = options;
  const limits = options.limits ?? SERVER_DEFAULTS;
  const gateway = gatewayHandler(yoga);
  const timeouts = {
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    connectionsCheckingInterval: connectionsCheckingIntervalOf(limits),
  };
  const server = fallback
    ? createServer(timeouts, (req, res) => void (isGatewayPath(req.url ?? '') ? gateway(req, res) : fallback(req, res)))
    : createServer(timeouts, (req, res) => void gateway(req, res));
  applyServerLimits(server, limits, options.logger);
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  const close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return { url: `http://${host}:${port}`, server, close, [Symbol.asyncDispose]: close };
}
