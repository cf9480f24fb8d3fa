// CORS_ORIGINS: the browser origins allowed to call the gateway cross-origin with credentials.
// Exact origins only (no wildcards, no patterns): a pattern that matches more than its author meant
// (`*.example.com` taking `evil-example.com`, a forgotten port) is the classic way CORS goes wrong.
import type { ListEntry } from './comma-list';

/** Origins a development gateway accepts when CORS_ORIGINS is unset: the local Next.js dev server. */
export const DEV_CORS_ORIGINS: readonly string[] = Object.freeze(['http://localhost:3000', 'http://127.0.0.1:3000']);

/** One CORS_ORIGINS entry as a browser sends it in `Origin`, or why it is not one. */
export function parseCorsOrigin(entry: string): ListEntry<string> {
  const expected = 'expected an exact origin: scheme://host[:port], no path, no trailing slash, no wildcard (e.g. https://shop.example.com)';
  if (entry.includes('*')) return { problem: `"${entry}": wildcards are not accepted, list each origin (${expected})` };
  let url: URL;
  try {
    url = new URL(entry);
  } catch {
    return { problem: `"${entry}" is not an origin (${expected})` };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { problem: `"${entry}" is not an http(s) origin (${expected})` };
  // The serialised origin is what a browser sends: anything that normalises differently would never match.
  if (url.origin !== entry) return { problem: `"${entry}" is not an origin as browsers send it; did you mean "${url.origin}"? (${expected})` };
  return { value: url.origin };
}
