// The same Yoga behind a plain node:http server (tests, benchmark, and deployments that skip
// Next's router): measures the gateway apart from Next.js overhead.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { GatewayYoga } from './yoga';

export interface NodeServerHandle extends AsyncDisposable {
  readonly url: string;
  readonly server: Server;
  close(): Promise<void>;
}

export async function startNodeServer(yoga: GatewayYoga, options: { port?: number; host?: string } = {}): Promise<NodeServerHandle> {
  const server = createServer(yoga);
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
