// BatchLoader: DataLoader plus loadAll/peek for the resolvers' lookahead. Every count is of calls of
// the batch function, the provider call it stands for.
import { describe, expect, it } from 'vitest';
import { BatchLoader } from '../../src/providers/batch-loader';

interface Deferred<T> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

function deferred<T>(): Deferred<T> {
  let resolve: (value: T) => void = () => undefined;
  let reject: (error: unknown) => void = () => undefined;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** A loader over `value-<key>` answers that records each batch it was asked for. */
function recording(maxBatchSize: number, answer: (keys: readonly string[]) => Promise<(string | Error)[]> = (keys) => Promise.resolve(keys.map((k) => `value-${k}`))) {
  const batches: string[][] = [];
  const loader = new BatchLoader<string>(
    (keys) => {
      batches.push([...keys]);
      return answer(keys);
    },
    { maxBatchSize, name: 'test.loader' },
  );
  return { loader, batches };
}

describe('BatchLoader', () => {
  it('loads a list in one batch per maxBatchSize keys, each key once, at the limit and past it', async () => {
    const atLimit = recording(2);
    await atLimit.loader.loadAll(['a', 'b', 'a', 'b']);
    expect(atLimit.batches).toEqual([['a', 'b']]);

    const past = recording(2);
    await past.loader.loadAll(['a', 'b', 'c']);
    expect(past.batches).toEqual([['a', 'b'], ['c']]);
    expect(['a', 'b', 'c'].map((k) => past.loader.peek(k))).toEqual(['value-a', 'value-b', 'value-c']);
  });

  it('answers load() and a second loadAll() of loaded keys from its cache', async () => {
    const { loader, batches } = recording(10);
    await loader.loadAll(['a', 'b']);
    await expect(loader.load('a')).resolves.toBe('value-a');
    await loader.loadAll(['a', 'b', 'c']);
    expect(batches).toEqual([['a', 'b'], ['c']]);
  });

  it('makes load() of a key in flight wait for the same batch', async () => {
    const gate = deferred<(string | Error)[]>();
    const { loader, batches } = recording(10, () => gate.promise);
    const all = loader.loadAll(['a', 'b']);
    const one = loader.load('b');
    expect(loader.peek('b')).toBeUndefined();
    gate.resolve(['value-a', 'value-b']);
    await all;
    await expect(one).resolves.toBe('value-b');
    expect(batches).toEqual([['a', 'b']]);
  });

  it('waits for keys DataLoader is already loading instead of loading them again, and keeps their values', async () => {
    const { loader, batches } = recording(10);
    const one = loader.load('a');
    await loader.loadAll(['a', 'b']);
    await expect(one).resolves.toBe('value-a');
    // DataLoader's batch and the round of loadAll: each key once.
    expect(batches.flat().sort()).toEqual(['a', 'b']);
    expect(loader.peek('a')).toBe('value-a');
  });

  it('sends the keys of every loadAll of one tick together, as DataLoader batches loads', async () => {
    const { loader, batches } = recording(10);
    await Promise.all([loader.loadAll(['a']), loader.loadAll(['b', 'a']), loader.loadAll(['c'])]);
    expect(batches).toEqual([['a', 'b', 'c']]);
  });

  it('never rejects: a failed batch fails every key of it for the request, without asking the provider again', async () => {
    const failure = new Error('provider down');
    const { loader, batches } = recording(10, () => Promise.reject(failure));
    const all = loader.loadAll(['a', 'b']);
    const waiting = loader.load('a');
    await expect(all).resolves.toBeUndefined();
    await expect(waiting).rejects.toBe(failure);
    expect(loader.peek('a')).toBeUndefined();
    // The fields below a lookahead load after the round: the same failure, no second call.
    await expect(loader.load('b')).rejects.toBe(failure);
    expect(batches).toEqual([['a', 'b']]);
  });

  it('fails only the key the batch answered with an Error', async () => {
    const notFound = new Error('no such key');
    const { loader } = recording(10, (keys) => Promise.resolve(keys.map((k) => (k === 'b' ? notFound : `value-${k}`))));
    await loader.loadAll(['a', 'b']);
    expect(loader.peek('a')).toBe('value-a');
    expect(loader.peek('b')).toBeUndefined();
    await expect(loader.load('b')).rejects.toBe(notFound);
  });

  it('fails every key of a batch answered with the wrong number of values, as DataLoader does', async () => {
    const { loader } = recording(10, () => Promise.resolve(['only-one']));
    const all = loader.loadAll(['a', 'b']);
    const waiting = loader.load('a');
    await all;
    await expect(waiting).rejects.toThrow('answered 1 values for 2 keys');
    expect(loader.peek('a')).toBeUndefined();
  });

  it('does not bring back a key cleared while its batch was in flight', async () => {
    const gate = deferred<(string | Error)[]>();
    let calls = 0;
    const loader = new BatchLoader<string>(
      (keys) => {
        calls += 1;
        return calls === 1 ? gate.promise : Promise.resolve(keys.map((k) => `fresh-${k}`));
      },
      { maxBatchSize: 10, name: 'test.loader' },
    );
    const all = loader.loadAll(['a']);
    loader.clear('a');
    gate.resolve(['stale-a']);
    await all;
    expect(loader.peek('a')).toBeUndefined();
    await expect(loader.load('a')).resolves.toBe('fresh-a');
    expect(calls).toBe(2);
  });
});
