// A peer's node:http server on a free loopback port, as the child runtime expects it (url + close).
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Served } from '../child-runtime';

export async function listenOnLoopback(server: Server, closeProviders: () => Promise<void>): Promise<Served> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/api/graphql`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await closeProviders();
    },
  };
}
