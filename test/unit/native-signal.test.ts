import { describe, expect, it } from 'vitest';
import { nativeSignal } from '../../src/server/native-signal';

describe('nativeSignal', () => {
  it('stays open until the request signal aborts, then aborts with its reason', () => {
    const source = new AbortController();
    const signal = nativeSignal(source.signal);
    const seen: unknown[] = [];
    signal.addEventListener('abort', () => seen.push(signal.reason));
    expect(signal.aborted).toBe(false);
    const reason = new Error('client went away');
    source.abort(reason);
    expect(signal.aborted).toBe(true);
    expect(seen).toEqual([reason]);
  });

  it('is aborted at once, with the same reason, when the request signal already is', () => {
    const reason = new Error('gone before the context');
    const signal = nativeSignal(AbortSignal.abort(reason));
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toBe(reason);
  });
});
