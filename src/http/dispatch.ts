// One attempt on the wire: sends through the origin's undici pool with a per-attempt signal
// and timeouts, and reads the whole body before the timer is cleared (a slow body is a timeout too).
import type { Dispatcher } from 'undici';
import { attemptSignal } from './deadline';
import type { HttpMethod } from './types';

export interface WireRequest {
  readonly method: HttpMethod;
  /** Path (with base path and query string) relative to the pool's origin. */
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string | undefined;
}

export interface WireResponse {
  readonly status: number;
  /** Lower-case names; repeated headers joined with ", " (set-cookie is irrelevant here). */
  readonly headers: Readonly<Record<string, string>>;
  readonly text: string;
}

function flattenHeaders(raw: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (value !== undefined) out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

/**
 * Sends one request. Throws the attempt signal's `AttemptAbort` on timeout/cancel, or undici's
 * error on socket failures; `classifyThrown` turns either into a Failure.
 */
export async function sendOnce(
  pool: Dispatcher,
  req: WireRequest,
  timeoutMs: number,
  callerSignal: AbortSignal | undefined,
): Promise<WireResponse> {
  using attempt = attemptSignal(timeoutMs, callerSignal);
  try {
    const res = await pool.request({
      method: req.method,
      path: req.path,
      headers: req.headers,
      body: req.body ?? null,
      signal: attempt.signal,
      // undici's own timers as a backstop; the attempt signal normally fires first.
      headersTimeout: Math.max(1, Math.ceil(timeoutMs) + 50),
      bodyTimeout: Math.max(1, Math.ceil(timeoutMs) + 50),
    });
    const text = await res.body.text();
    return { status: res.statusCode, headers: flattenHeaders(res.headers), text };
  } catch (error) {
    // Prefer our own reason (timeout vs cancelled) over undici's generic abort error.
    if (attempt.cause() !== undefined) throw attempt.signal.reason;
    throw error;
  }
}
