// Runtime contract check at the provider boundary: a provider answer that breaks its contract
// becomes UPSTREAM_BAD_RESPONSE (with the issues in log-only meta), never a crash deeper in.
import type { z } from 'zod';
import { upstreamError } from '../errors/app-error';

export function parseWire<S extends z.ZodType>(schema: S, body: unknown, provider: string, route: string): z.output<S> {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  throw upstreamError('UPSTREAM_BAD_RESPONSE', provider, {
    meta: { route, issues: result.error.issues.slice(0, 5).map((i) => `${i.path.join('.')}: ${i.message}`) },
  });
}
