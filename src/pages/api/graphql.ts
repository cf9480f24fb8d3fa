// The Next.js mount of the gateway: `/api/graphql` as a Pages Router API route, which hands
// Node's own request and response to yoga (and to the node lane for cached GETs) exactly as the
// standalone server does. Not an App Router route handler: converting every request and response
// to web objects and back cost more CPU per request than Next's API route pipeline does
// (see test/bench/README.md#the-api-route-under-next-start).
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
