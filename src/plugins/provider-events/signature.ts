// Webhook signatures in the `t=<unix seconds>,v1=<hex HMAC-SHA256>` style (Stripe's): the HMAC is
// over `<t>.<raw body>`, so the timestamp cannot be swapped, and a stale timestamp means a replay of
// an old delivery. Several `v1` are accepted (a sender signing with both secrets while it rotates),
// and every configured secret is tried (ours during a rotation): current and previous.
import { createHmac, timingSafeEqual } from 'node:crypto';

/** The request header that carries the signature. */
export const SIGNATURE_HEADER = 'webhook-signature';

/** A header longer than this is refused unread (a few signatures fit many times over). */
const MAX_HEADER_LENGTH = 1024;
// Hex in either case (RFC 4648 allows both; some senders print upper case): lower-cased before the compare.
const HEX_SHA256 = /^[0-9a-fA-F]{64}$/;
const UNIX_SECONDS = /^[0-9]{1,12}$/;

export type SignatureProblem = 'missing' | 'malformed' | 'stale' | 'mismatch';

export interface SignatureCheck {
  readonly header: string | null;
  readonly body: Uint8Array;
  /** The secrets that may have signed (current first); never empty here. */
  readonly secrets: readonly string[];
  /** Our time, in milliseconds (a fake clock in tests). */
  readonly nowMs: number;
  readonly toleranceSeconds: number;
}

function hmac(secret: string, timestamp: string, body: Uint8Array): Buffer {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest();
}

/** The header value a sender puts on `body` at `timestampSeconds` (the simulated catalog, tests). */
export function signatureHeaderOf(secret: string, body: Uint8Array | string, timestampSeconds: number): string {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  const t = String(Math.floor(timestampSeconds));
  return `t=${t},v1=${hmac(secret, t, bytes).toString('hex')}`;
}

/** undefined when one of the header's signatures was made by one of the secrets over this body and timestamp. */
export function signatureProblemOf(check: SignatureCheck): SignatureProblem | undefined {
  const { header } = check;
  if (header === null || header === '') return 'missing';
  if (header.length > MAX_HEADER_LENGTH) return 'malformed';
  let timestamp: string | undefined;
  const signatures: Buffer[] = [];
  for (const part of header.split(',')) {
    const [name, value = '', ...rest] = part.trim().split('=');
    if (rest.length > 0) return 'malformed';
    if (name === 't' && timestamp === undefined && UNIX_SECONDS.test(value)) timestamp = value;
    else if (name === 'v1' && HEX_SHA256.test(value)) signatures.push(Buffer.from(value.toLowerCase(), 'hex'));
    // Other schemes (v0, a future v2) are ignored, as senders add them beside v1.
  }
  if (timestamp === undefined || signatures.length === 0) return 'malformed';
  if (Math.abs(check.nowMs / 1000 - Number(timestamp)) > check.toleranceSeconds) return 'stale';
  const ts = timestamp;
  const expected = check.secrets.map((secret) => hmac(secret, ts, check.body));
  // Every pair compared (no early exit), each in constant time: which secret matched does not leak.
  let matched = false;
  for (const mine of expected) for (const theirs of signatures) matched = timingSafeEqual(mine, theirs) || matched;
  return matched ? undefined : 'mismatch';
}
