import { types } from 'node:util';
import { describe, expect, it } from 'vitest';
import { nativeSignal } from '../../src/server/native-signal';

describe('nativeSignal', () => {
  it('stays open until the request signal aborts, then aborts once with its reason', () => {
    const source = new AbortController();
    const signal = nativeSignal(source.signal);
    const seen: unknown[] = [];
    signal.addEventListener('abort', () => seen.push(signal.reason));
    expect(signal.aborted).toBe(false);
    const reason = new Error('client went away');
    source.abort(reason);
    source.abort(new Error('again'));
    expect(signal.aborted).toBe(true);
    expect(seen).toEqual([reason]);
  });

  it('is aborted at once, with the same reason, when the request signal already is', () => {
    const reason = new Error('gone before the context');
    const signal = nativeSignal(AbortSignal.abort(reason));
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toBe(reason);
  });

  it('is a native AbortSignal even when the request signal is not', () => {
    // What whatwg-node hands us under node: an EventTarget dressed as an AbortSignal.
    const source = new AbortController();
    const dressed = new Proxy(source.signal, { get: (target, prop) => Reflect.get(target, prop, target) as unknown });
    const signal = nativeSignal(dressed);
    expect(types.isProxy(dressed)).toBe(true);
    expect(types.isProxy(signal)).toBe(false);
    expect(signal).toBeInstanceOf(AbortSignal);
    source.abort('bye');
    expect(signal.reason).toBe('bye');
  });
});
