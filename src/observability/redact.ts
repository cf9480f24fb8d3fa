// What must never reach a log line: values under secret-looking keys, the configured secrets and
// PII fields, bearer/basic/JWT-looking strings, and provider hosts. Used by the error serializer,
// by pino's `redact` paths and by anything that logs a string it did not build itself.

import { knownValues, REDACTED, redactAuthSchemes, redactJwts, redactSecretPairs, withoutTrailingToken } from './credential-scan';

export { REDACTED };
const HOST = '[upstream-host]';

/** Keys whose values are secrets wherever they appear (compared without case, `-` or `_`). */
const SECRET_KEYS = [
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
  'api-key',
  'apikey',
  'client_secret',
  'access_token',
  'refresh_token',
  'id_token',
  'token',
  'password',
  'secret',
  'bypass-secret',
  'x-persisted-operations-bypass',
] as const;

const normalise = (key: string): string => key.toLowerCase().replace(/[-_]/g, '');

/** Longer text is cut: a log line never carries more of what it was given. */
export const MAX_SCRUBBED_TEXT = 8192;
/** Read beyond the cut by the scan, so that a credential that crosses it is redacted whole. */
const SCAN_MARGIN = 4096;

export interface ScrubberOptions {
  /** Exact values to hide (API keys, client secrets, static tokens); shorter than 6 characters are ignored. */
  readonly secrets?: readonly string[];
  /** `host:port` (or host) of every provider; replaced so that logs never map our upstreams. */
  readonly hosts?: readonly string[];
  /** Extra keys whose values are redacted (PII such as `email`). */
  readonly fields?: readonly string[];
}

export interface Scrubber {
  /** The string with every known secret, credential-looking token and provider host replaced. */
  text(value: string): string;
  /** A JSON-safe deep copy with secret keys redacted and strings scrubbed (bounded depth and width). */
  value(value: unknown): unknown;
  /** Whether a key's value must be redacted. */
  isSecretKey(key: string): boolean;
  /** pino `redact.paths` for the same keys, at the depths our log lines use. */
  readonly redactPaths: readonly string[];
}

const MAX_DEPTH = 6;
const MAX_ITEMS = 50;

export function createScrubber(options: ScrubberOptions = {}): Scrubber {
  const keys = new Set([...SECRET_KEYS, ...(options.fields ?? [])].map(normalise));
  const secrets = (options.secrets ?? []).filter((s) => s.length >= 6);
  const hosts = (options.hosts ?? []).filter((h) => h.length > 0);
  // Longest first, so that a secret containing another is replaced whole.
  const known = [...secrets.map((s) => [s, REDACTED] as const), ...hosts.map((h) => [h, HOST] as const)].sort((a, b) => b[0].length - a[0].length);
  const knownText = knownValues(known);

  const scan = (value: string): string => redactSecretPairs(redactJwts(redactAuthSchemes(knownText.replace(value))));

  function text(value: string): string {
    if (value.length <= MAX_SCRUBBED_TEXT) return scan(value);
    // Scanned past the cut, so that a credential across it is found whole; then cut, and a token
    // still running at the cut (longer than the margin) is dropped rather than half shown.
    const scanned = scan(value.slice(0, MAX_SCRUBBED_TEXT + SCAN_MARGIN));
    return `${withoutTrailingToken(scanned.slice(0, MAX_SCRUBBED_TEXT))}…[truncated]`;
  }

  const isSecretKey = (key: string): boolean => keys.has(normalise(key));

  function copy(value: unknown, depth: number, seen: WeakSet<object>): unknown {
    if (typeof value === 'string') return text(value);
    if (value === null || typeof value !== 'object') return typeof value === 'function' || typeof value === 'symbol' ? undefined : value;
    if (depth >= MAX_DEPTH || seen.has(value)) return '[…]';
    seen.add(value);
    if (value instanceof Error) return serialiseError(value, depth, seen);
    if (Array.isArray(value)) return value.slice(0, MAX_ITEMS).map((item) => copy(item, depth + 1, seen));
    const entries = value instanceof Headers || value instanceof Map ? [...value.entries()] : Object.entries(value);
    const out: Record<string, unknown> = {};
    for (const [key, item] of entries.slice(0, MAX_ITEMS)) {
      out[String(key)] = isSecretKey(String(key)) ? REDACTED : copy(item, depth + 1, seen);
    }
    return out;
  }

  function serialiseError(error: Error, depth: number, seen: WeakSet<object>): Record<string, unknown> {
    const out: Record<string, unknown> = { type: error.name, message: text(error.message) };
    const extra = error as Error & { code?: unknown; meta?: unknown; status?: unknown; statusCode?: unknown };
    if (typeof extra.code === 'string' || typeof extra.code === 'number') out['code'] = extra.code;
    if (typeof extra.statusCode === 'number') out['statusCode'] = extra.statusCode;
    if (extra.meta !== undefined) out['meta'] = copy(extra.meta, depth + 1, seen);
    // A coded error (ours, undici's) is an expected failure: its code and meta say more than a stack.
    if (error.stack !== undefined && out['code'] === undefined) out['stack'] = text(error.stack);
    if (error.cause !== undefined) out['cause'] = copy(error.cause, depth + 1, seen);
    if (error instanceof AggregateError) out['errors'] = copy(error.errors, depth + 1, seen);
    return out;
  }

  const redactPaths: string[] = [];
  for (const key of new Set([...SECRET_KEYS, ...(options.fields ?? [])])) {
    const path = /^[A-Za-z_$][\w$]*$/.test(key) ? key : `["${key}"]`;
    const child = path.startsWith('[') ? path : `.${path}`;
    redactPaths.push(path, `*${child}`, `*.*${child}`);
  }

  return { text, value: (value) => copy(value, 0, new WeakSet()), isSecretKey, redactPaths };
}
