// Readiness under Next.js: the gateway's checks (Redis, breakers), or 503 when its configuration is invalid.
import { readinessReply } from '../../../../observability/health';
import { toResponse } from '../../../../observability/ops-reply';
import type { Gateway } from '../../../../server/gateway';
import { getGateway } from '../../../../server/instance';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export async function GET(): Promise<Response> {
  let gateway: Gateway;
  try {
    gateway = getGateway();
  } catch {
    return toResponse(readinessReply({ config: 'invalid' }));
  }
  return toResponse(await gateway.health.ready());
}
