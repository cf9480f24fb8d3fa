// Liveness for a load balancer under Next.js: the process answers. Needs no configuration.
import { liveReply } from '../../../../observability/health';
import { toResponse } from '../../../../observability/ops-reply';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export function GET(): Response {
  return toResponse(liveReply());
}
