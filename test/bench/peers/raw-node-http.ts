// Peer child: node:http answering a fixed 1 KB JSON (1024 bytes), the machine's ceiling for one core.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { runChild } from '../child-runtime';

const payload = Buffer.from(JSON.stringify({ data: { filler: 'x'.repeat(1024 - 22) } }));

runChild(async () => {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': payload.length }).end(payload);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
});
