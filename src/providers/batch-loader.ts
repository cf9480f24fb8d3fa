// A DataLoader that can also load a whole list of keys without a promise per key: what the
// resolvers' lookahead uses (src/resolvers/lookahead/) to load a reference for every item of a list
// before graphql executes the items. DataLoader's own `loadMany` makes two promises and two reactions
// per key; with fifty order pages in flight those were most of the execution's extra CPU over the
// page built by hand (`npm run bench:execution`). Everything else is DataLoader's: `load` batches,
// caches and dedupes as before, and answers the keys `loadAll` fetched (or is fetching) from here.
import DataLoader from 'dataloader';

/** A batch's answers, one per key: a value, or the Error of that key. */
type Answers<V> = readonly (V | Error)[];

interface InFlight<V> {
  readonly batch: Promise<Answers<V>>;
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
  /** Loaded values (undefined is never one: V excludes it, so `get` needs no `has`). */
  readonly values = new Map<string, V>();
  readonly errors = new Map<string, Error>();
  readonly inFlight = new Map<string, InFlight<V>>();

  get(key: string): Promise<V> | undefined {
    const known = this.promises.get(key);
    if (known !== undefined) return known;
    const promise = this.#promiseOf(key);
    if (promise === undefined) return undefined;
    // A rejection nobody awaits yet must not count as unhandled; `load`'s caller still gets it.
    promise.catch(() => undefined);
    this.promises.set(key, promise);
    return promise;
  }

  #promiseOf(key: string): Promise<V> | undefined {
    const value = this.values.get(key);
    if (value !== undefined) return Promise.resolve(value);
    const error = this.errors.get(key);
    if (error !== undefined) return Promise.reject(error);
    const pending = this.inFlight.get(key);
    if (pending === undefined) return undefined;
    return pending.batch.then((answers) => {
      const answer = answers[pending.index];
      if (answer === undefined || answer instanceof Error) throw answer ?? new Error('batch loader: no answer for a key');
      return answer;
    });
  }

  set(key: string, promise: Promise<V>): void {
    this.promises.set(key, promise);
  }

  /** Keeps an answer for a key, unless the key was cleared meanwhile (`stillWanted`). */
  keep(key: string, answer: V | Error | undefined): void {
    if (answer instanceof Error) this.errors.set(key, answer);
    else if (answer !== undefined) this.values.set(key, answer);
  }

  settled(key: string): boolean {
    return this.values.has(key) || this.errors.has(key);
  }

  delete(key: string): void {
    this.promises.delete(key);
    this.values.delete(key);
    this.errors.delete(key);
    this.inFlight.delete(key);
  }

  clear(): void {
    this.promises.clear();
    this.values.clear();
    this.errors.clear();
    this.inFlight.clear();
  }
}

const asError = (error: unknown): Error => (error instanceof Error ? error : new Error(String(error)));

/** Every value but undefined, which `peek` answers for "not loaded". */
export type Loadable = NonNullable<unknown> | null;

export class BatchLoader<V extends Loadable> extends DataLoader<string, V> {
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

  /** The value loaded for this key; undefined when it has none yet (not loaded, loading, or failed). */
  peek(key: string): V | undefined {
    return this.#cache.values.get(key);
  }

  /** The error this key failed with in a batch, if it did (`load` answers it). */
  failure(key: string): Error | undefined {
    return this.#cache.errors.get(key);
  }

  /**
   * Loads every key not loaded or loading yet, in calls of at most maxBatchSize keys; resolves once
   * all of them are settled (never rejects: a failed key's error is kept for `load` to answer). Keys
   * already on their way are waited for, not fetched again: an earlier loadAll's batch, or
   * DataLoader's own promise (whose outcome is then kept too).
   */
  async loadAll(keys: readonly string[]): Promise<void> {
    const cache = this.#cache;
    const waits = new Set<PromiseLike<unknown>>();
    const fresh: string[] = [];
    const seen = new Set<string>();
    for (const key of keys) {
      if (seen.has(key) || cache.settled(key)) continue;
      seen.add(key);
      const pending = cache.inFlight.get(key);
      const promise = cache.promises.get(key);
      if (pending !== undefined) waits.add(pending.batch);
      else if (promise !== undefined) waits.add(promise.then((value) => this.#keepIfCached(key, value), (error: unknown) => this.#keepIfCached(key, asError(error))));
      else fresh.push(key);
    }
    for (let start = 0; start < fresh.length; start += this.#maxBatchSize) {
      const chunk = fresh.slice(start, start + this.#maxBatchSize);
      const batch = this.#fetch(chunk);
      for (let index = 0; index < chunk.length; index += 1) cache.inFlight.set(chunk[index] ?? '', { batch, index });
      waits.add(batch.then((answers) => this.#settle(chunk, batch, answers)));
    }
    await Promise.all(waits);
  }

  #keepIfCached(key: string, answer: V | Error): void {
    // Cleared meanwhile (DataLoader's clear): not brought back.
    if (this.#cache.promises.has(key)) this.#cache.keep(key, answer);
  }

  #settle(chunk: readonly string[], batch: Promise<Answers<V>>, answers: Answers<V>): void {
    const cache = this.#cache;
    for (let index = 0; index < chunk.length; index += 1) {
      const key = chunk[index] ?? '';
      // A key cleared while in flight (DataLoader's clear) is not brought back.
      if (cache.inFlight.get(key)?.batch !== batch) continue;
      cache.inFlight.delete(key);
      cache.keep(key, answers[index]);
    }
  }

  /** One call of the batch function; a rejection or a wrong-length answer fails every key, as DataLoader does. */
  async #fetch(chunk: readonly string[]): Promise<Answers<V>> {
    try {
      const values = await this.#load(chunk);
      if (values.length !== chunk.length) throw new TypeError(`${this.name ?? 'batch loader'}: the batch function answered ${values.length} values for ${chunk.length} keys`);
      return Array.from(values);
    } catch (error) {
      const failure = asError(error);
      return chunk.map(() => failure);
    }
  }
}
