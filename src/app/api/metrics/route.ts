// The Prometheus scrape under Next.js: 404 unless METRICS_TOKEN is set, then that bearer token is required.
import { toResponse } from '../../../observability/ops-reply';
import { getGateway } from '../../../server/instance';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export async function GET(request: Request): Promise<Response> {
  return toResponse(await getGateway().telemetry.metricsReply(request.headers.get('authorization')));
}
