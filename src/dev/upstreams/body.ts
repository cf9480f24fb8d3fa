// Request-body parsing for the simulated providers: JSON and form bodies, nothing else.

export type ParsedBody =
  | { readonly kind: 'none' }
  | { readonly kind: 'ok'; readonly value: unknown }
  | { readonly kind: 'invalid'; readonly raw: string };

const NONE: ParsedBody = { kind: 'none' };

export function parseBody(raw: string, contentType: string | undefined): ParsedBody {
  if (raw === '') return NONE;
  if (contentType?.includes('application/x-www-form-urlencoded')) {
    return { kind: 'ok', value: Object.fromEntries(new URLSearchParams(raw)) };
  }
  if (contentType === undefined || contentType.includes('json')) {
    try {
      return { kind: 'ok', value: JSON.parse(raw) as unknown };
    } catch {
      return { kind: 'invalid', raw };
    }
  }
  return { kind: 'ok', value: raw };
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
