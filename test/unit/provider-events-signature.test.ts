// The webhook signature check on its own: which headers verify, and why the others do not.
import { describe, expect, it } from 'vitest';
import { signatureHeaderOf, signatureProblemOf } from '../../src/plugins/provider-events/signature';

const NOW_MS = 1_800_000_000_000;
const BODY = Buffer.from('{"id":"evt-1","type":"product.updated","data":{"id":"prod-1"}}');
const check = (header: string | null, secrets: readonly string[] = ['current-secret', 'previous-secret']) =>
  signatureProblemOf({ header, body: BODY, secrets, nowMs: NOW_MS, toleranceSeconds: 300 });

describe('webhook signatures', () => {
  it('accepts a signature by either secret, at the tolerance on both sides', () => {
    expect(check(signatureHeaderOf('current-secret', BODY, NOW_MS / 1000))).toBeUndefined();
    expect(check(signatureHeaderOf('previous-secret', BODY, NOW_MS / 1000))).toBeUndefined();
    expect(check(signatureHeaderOf('current-secret', BODY, NOW_MS / 1000 - 300))).toBeUndefined();
    expect(check(signatureHeaderOf('current-secret', BODY, NOW_MS / 1000 + 300))).toBeUndefined();
  });

  it('refuses one second past the tolerance as stale, before comparing', () => {
    expect(check(signatureHeaderOf('current-secret', BODY, NOW_MS / 1000 - 301))).toBe('stale');
    expect(check(signatureHeaderOf('current-secret', BODY, NOW_MS / 1000 + 301))).toBe('stale');
  });

  it('refuses another secret, another body, and a timestamp swapped onto a valid signature', () => {
    expect(check(signatureHeaderOf('someone-else', BODY, NOW_MS / 1000))).toBe('mismatch');
    expect(signatureProblemOf({ header: signatureHeaderOf('current-secret', BODY, NOW_MS / 1000), body: Buffer.from(`${BODY} `), secrets: ['current-secret'], nowMs: NOW_MS, toleranceSeconds: 300 })).toBe('mismatch');
    const v1 = signatureHeaderOf('current-secret', BODY, NOW_MS / 1000).split(',')[1];
    expect(check(`t=${NOW_MS / 1000 - 1},${v1}`)).toBe('mismatch');
  });

  it('tells a missing header from a malformed one', () => {
    expect(check(null)).toBe('missing');
    expect(check('')).toBe('missing');
    for (const header of ['v1=abc', `t=${NOW_MS / 1000}`, `t=abc,v1=${'0'.repeat(64)}`, `t=${NOW_MS / 1000},v1=${'0'.repeat(63)}`, `t=${NOW_MS / 1000},v1=${'0'.repeat(64)}=`, `t=1,v1=${'0'.repeat(64)},${'x'.repeat(1024)}`]) {
      expect([header.slice(0, 40), check(header)]).toEqual([header.slice(0, 40), 'malformed']);
    }
  });

  it('accepts the hex of a signature in upper or mixed case; a non-hex digit is still malformed', () => {
    const header = signatureHeaderOf('current-secret', BODY, NOW_MS / 1000);
    const [t = '', v1 = ''] = header.split(',');
    const hex = v1.slice('v1='.length);
    expect(hex).toMatch(/[a-f]/);
    expect(check(`${t},v1=${hex.toUpperCase()}`)).toBeUndefined();
    expect(check(`${t},v1=${[...hex].map((c, i) => (i % 2 === 0 ? c.toUpperCase() : c)).join('')}`)).toBeUndefined();
    expect(check(`${t},v1=${'A'.repeat(64)}`)).toBe('mismatch');
    expect(check(`${t},v1=${'G'.repeat(64)}`)).toBe('malformed');
  });

  it('accepts a header with several v1 (a sender rotating) when one of them verifies, and ignores other schemes', () => {
    const ours = signatureHeaderOf('previous-secret', BODY, NOW_MS / 1000).split(',')[1];
    expect(check(`t=${NOW_MS / 1000},v1=${'a'.repeat(64)},${ours},v0=whatever`)).toBeUndefined();
  });
});
