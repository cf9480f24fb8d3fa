// The Next.js edge of the gateway: one Yoga instance per process; GET, POST and OPTIONS go to it.
import { getGateway } from '../../../server/instance';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

function handle(request: Request): Response | Promise<Response> {
  return getGateway().yoga.handleRequest(request, {});
}

export { handle as GET, handle as POST, handle as OPTIONS };
