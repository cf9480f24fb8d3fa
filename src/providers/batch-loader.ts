// A DataLoader that can also load a whole list of keys without a promise per key: what the
// resolvers' lookahead uses (src/resolvers/lookahead/) to load a reference for every item of a list
// before graphql executes the items. DataLoader's own `loadMany` makes two promises and two reactions
// per key; with fifty order pages in flight those were most of the execution's extra CPU over the
// page built by hand (`npm run bench:execution`). Everything else is DataLoader's: `load` batches,
// caches and dedupes as before, and answers the keys `loadAll` fetched (or is fetching) from here.
import DataLoader from 'dataloader';

type Settled<V> = { readonly value: V } | { readonly error: Error };

interface InFlight<V> {
  readonly batch: Promise<readonly Settled<V>[]>;
  readonly index: number;
}

export interface BatchLoaderOptions {
  /** Most keys per call of the batch function (the provider's max batch size). */
  readonly maxBatchSize: number;
  /** DataLoader's name, for traces. */
  readonly name: string;
}

/**
 * DataLoader's cache map: its own promises, and the keys `loadAll` fetched or is fetching, turned
 * into a promise only when `load` asks for one of them.
 */
class LoaderCache<V> {
  readonly promises = new Map<string, Promise<V>>();
  readonly settled = new Map<string, Settled<V>>();
  readonly inFlight = new Map<string, InFlight<V>>();

  get(key: string): Promise<V> | undefined {
    const known = this.promises.get(key);
    if (known !== undefined) return known;
    const settled = this.settled.get(key);
    const pending = this.inFlight.get(key);
    let promise: Promise<V> | undefined;
    if (settled !== undefined) promise = 'value' in settled ? Promise.resolve(settled.value) : Promise.reject(settled.error);
    else if (pending !== undefined) promise = pending.batch.then((results) => valueOf(results[pending.index]));
    if (promise === undefined) return undefined;
    // A rejection nobody awaits yet must not count as unhandled; `load`'s caller still gets it.
    promise.catch(() => undefined);
    this.promises.set(key, promise);
    return promise;
  }

  set(key: string, promise: Promise<V>): void {
    this.promises.set(key, promise);
  }

  /** Keeps the outcome of DataLoader's own promise for a key, unless the key was cleared meanwhile. */
  keep(key: string, settled: Settled<V>): void {
    if (this.promises.has(key)) this.settled.set(key, settled);
  }

  delete(key: string): void {
    this.promises.delete(key);
    this.settled.delete(key);
    this.inFlight.delete(key);
  }

  clear(): void {
    this.promises.clear();
    this.settled.clear();
    this.inFlight.clear();
  }
}

function valueOf<V>(settled: Settled<V> | undefined): V {
  if (settled === undefined) throw new Error('batch loader: no result for a key');
  if ('error' in settled) throw settled.error;
  return settled.value;
}

const asError = (error: unknown): Error => (error instanceof Error ? error : new Error(String(error)));

export class BatchLoader<V> extends DataLoader<string, V> {
  readonly #cache: LoaderCache<V>;
  readonly #load: (keys: readonly string[]) => PromiseLike<ArrayLike<V | Error>>;
  readonly #maxBatchSize: number;

  constructor(load: (keys: readonly string[]) => PromiseLike<ArrayLike<V | Error>>, options: BatchLoaderOptions) {
    const cache = new LoaderCache<V>();
    super(load, { maxBatchSize: options.maxBatchSize, name: options.name, cacheMap: cache });
    this.#cache = cache;
    this.#load = load;
    this.#maxBatchSize = options.maxBatchSize;
  }

  /** The value `loadAll` settled for this key; undefined when it has none (not loaded, loading, or failed). */
  peek(key: string): { readonly value: V } | undefined {
    const settled = this.#cache.settled.get(key);
    return settled !== undefined && 'value' in settled ? settled : undefined;
  }

  /**
   * Loads every key not loaded or loading yet, in calls of at most maxBatchSize keys; resolves once
   * all of them are settled (never rejects: a failed key's error is kept for `load` to answer). Keys
   * DataLoader itself is loading are left to it.
   */
  async loadAll(keys: readonly string[]): Promise<void> {
    const cache = this.#cache;
    const unique = [...new Set(keys)];
    // Keys already on their way are waited for, not fetched again: an earlier loadAll's batch, or
    // DataLoader's own promise (whose outcome is then kept as settled too).
    const waits = new Set<Promise<unknown>>();
    const fresh: string[] = [];
    for (const key of unique) {
      if (cache.settled.has(key)) continue;
      const pending = cache.inFlight.get(key);
      const promise = cache.promises.get(key);
      if (pending !== undefined) waits.add(pending.batch);
      else if (promise !== undefined) waits.add(promise.then((value) => cache.keep(key, { value }), (error: unknown) => cache.keep(key, { error: asError(error) })));
      else fresh.push(key);
    }
    for (let start = 0; start < fresh.length; start += this.#maxBatchSize) {
      const chunk = fresh.slice(start, start + this.#maxBatchSize);
      const batch = this.#fetch(chunk);
      chunk.forEach((key, index) => cache.inFlight.set(key, { batch, index }));
      waits.add(
        batch.then((results) => {
          chunk.forEach((key, index) => {
            // A key cleared while in flight (DataLoader's clear) is not brought back.
            if (cache.inFlight.get(key)?.batch !== batch) return;
            cache.inFlight.delete(key);
            const result = results[index];
            if (result !== undefined) cache.settled.set(key, result);
          });
        }),
      );
    }
    await Promise.all(waits);
  }

  /** One call of the batch function; a rejection or a wrong-length answer fails every key, as DataLoader does. */
  async #fetch(chunk: readonly string[]): Promise<readonly Settled<V>[]> {
    try {
      const values = await this.#load(chunk);
      if (values.length !== chunk.length) throw new TypeError(`${this.name ?? 'batch loader'}: the batch function answered ${values.length} values for ${chunk.length} keys`);
      return Array.from(values, (value): Settled<V> => (value instanceof Error ? { error: value } : { value }));
    } catch (error) {
      const failure: Settled<V> = { error: asError(error) };
      return chunk.map(() => failure);
    }
  }
}
