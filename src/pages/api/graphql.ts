// The Next.js mount of the gateway: `/api/graphql` as a Pages Router API route, which hands
// Node's own request and response to yoga (and to the node lane for cached GETs) exactly as the
// standalone server does. Measured on top of the standalone gateway: an App Router route handler
// added ~1.0–1.3 ms of CPU per request (Next turns the IncomingMessage into a web Request, runs it
// under its async storages and pipes the web Response back through a stream), this route 0.45–1.1 ms
// (Next's routing and preparation, ~0.15 ms, and the extra GC promotion its apiResolver sets off under
// load; 0.5–1.1 ms on the order page in the interleaved bench runs, where it is 0.67–0.81× the
// standalone req/s; where that time goes: test/bench/README.md).
// See README "Why a Pages Router API route".
import type { IncomingMessage, ServerResponse } from 'node:http';
import { gatewayHandler, type GatewayNodeHandler } from '../../server/node-server';
import { getGateway, setGatewayServer } from '../../server/instance';
import { applyServerLimits, serverOf } from '../../server/server-limits';

// Yoga reads the body itself (with its size limit); Next must not parse or cap it first.
export const config = { api: { bodyParser: false, responseLimit: false, externalResolver: true } };

let handler: GatewayNodeHandler | undefined;

// Next's API resolver waits for the handler's promise, which settles once the answer is sent.
export default function graphql(req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (handler === undefined) {
    const gateway = getGateway();
    handler = gatewayHandler(gateway.yoga);
    // next start creates its server with Node's defaults (300 s request timeout, no cap): ours apply
    // from the first request on (checked every 30 s, Next's server was created with Node's interval).
    const server = serverOf(req);
    if (server !== undefined) {
      applyServerLimits(server, gateway.config.server, gateway.telemetry.logger);
      // The shutdown (src/server/shutdown.ts) closes this listener after the drain.
      setGatewayServer(server);
    }
  }
  return handler(req, res);
}
