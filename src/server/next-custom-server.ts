// The fast Next.js deployment: one node:http server in which the gateway paths go straight to Yoga
// and every other path to Next's own request handler (Next's documented "custom server" mode).
// Trade: /api/graphql skips Next's router, middleware and per-request preparation (0.5–1.1 ms of CPU
// per request with the API route, src/pages/api/graphql.ts); that route stays for `next start`.
import next from 'next';
import type { ServerConfig } from '../config';
import type { Logger } from '../observability/logger';
import type { GatewayYoga } from './yoga';
import { startNodeServer, type NodeServerHandle } from './node-server';

export interface NextCustomServerOptions {
  readonly port?: number;
  readonly host?: string;
  /** Next's development mode (compiles on demand). @default false */
  readonly dev?: boolean;
  /** The project folder holding `.next` and `next.config.ts`. @default process's working directory */
  readonly dir?: string;
  /** Timeouts and connection cap of the one server, Next's pages included (`config.server`). @default SERVER_DEFAULTS */
  readonly limits?: ServerConfig;
  /** Gets the lines of requests and connections the server refuses. @default none */
  readonly logger?: Logger;
}

export async function startNextCustomServer(yoga: GatewayYoga, options: NextCustomServerOptions = {}): Promise<NodeServerHandle> {
  const app = next({ dev: options.dev ?? false, ...(options.dir ? { dir: options.dir } : {}) });
  await app.prepare();
  const handle = app.getRequestHandler();
  const server = await startNodeServer(yoga, {
    ...(options.port !== undefined ? { port: options.port } : {}),
    ...(options.host !== undefined ? { host: options.host } : {}),
    ...(options.limits !== undefined ? { limits: options.limits } : {}),
    ...(options.logger !== undefined ? { logger: options.logger } : {}),
    fallback: (req, res) => handle(req, res),
  });
  const close = async () => {
    await server.close();
    await app.close();
  };
  return { ...server, close, [Symbol.asyncDispose]: close };
}
