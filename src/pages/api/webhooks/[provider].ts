// POST /api/webhooks/<provider> under `next start`: Node's request and response handed to the
// gateway's yoga, whose first hooks answer it (src/plugins/provider-events), exactly as on node:http.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { getGateway } from '../../../server/instance';

// The signature is over the raw body, and the webhook bounds it itself: Next must not parse or cap it.
export const config = { api: { bodyParser: false, responseLimit: false, externalResolver: true } };

export default function providerWebhook(req: IncomingMessage, res: ServerResponse): Promise<void> {
  return getGateway().yoga(req, res);
}
