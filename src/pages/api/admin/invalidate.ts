// POST /api/admin/invalidate under `next start`: handed to the gateway's yoga, whose first hooks
// answer it (src/plugins/provider-events/admin-invalidate.ts), exactly as on node:http.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { getGateway } from '../../../server/instance';

// The endpoint bounds and parses its body itself.
export const config = { api: { bodyParser: false, responseLimit: false, externalResolver: true } };

export default function adminInvalidate(req: IncomingMessage, res: ServerResponse): Promise<void> {
  return getGateway().yoga(req, res);
}
