// Floor child: the unavoidable part of an order page, in one process, behind node:http. It takes the
// same request (reads and JSON.parses the POST body), makes the order page's 5 provider round trips
// through our provider clients over a bare undici Pool and undici's cheapest call, a raw dispatch
// (plain-providers.ts; JSON.parse, zod checks and mapping of every answer included) in the fewest
// rounds their data allow (orders; then customers, products and reviews at once; then review
// authors), assembles by hand the answer the order page's document asks for (same fields, same
// size) and JSON.stringifies it. No GraphQL, no protections: what any server answering this page
// has to spend, so every target's distance from it is what its own machinery costs.
import { createServer, type IncomingMessage } from 'node:http';
import { buildConfig, loadEnv } from '../../../src/server/config';
import { runChild } from '../child-runtime';
import { listenOnLoopback } from './listen';
import { orderPageByHand } from './order-page-by-hand';
import { createPlainProviders } from './plain-providers';

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

runChild(async () => {
  const { providers, close } = await createPlainProviders(buildConfig(loadEnv()), 'dispatch');
  const server = createServer((req, res) => {
    void (async () => {
      try {
        // The request is read and parsed as any server would; its document is not looked at
        // (this process answers the order page, whatever is asked; `{ ping }` is the readiness probe).
        if (req.method === 'POST') JSON.parse(await readBody(req));
        else req.resume();
        const body = JSON.stringify(req.method === 'POST' ? await orderPageByHand(providers) : { data: { ping: true } });
        res.writeHead(200, { 'content-type': 'application/graphql-response+json; charset=utf-8', 'content-length': Buffer.byteLength(body) }).end(body);
      } catch (error) {
        const body = JSON.stringify({ errors: [{ message: error instanceof Error ? error.message : String(error) }] });
        res.writeHead(500, { 'content-type': 'application/json' }).end(body);
      }
    })();
  });
  return listenOnLoopback(server, close);
});
