// A DataLoader that can also load a whole list of keys without a promise per key: what the
// resolvers' lookahead uses (src/resolvers/lookahead/) to load a reference for every item of a list
// before graphql executes the items. DataLoader's own `loadMany` makes two promises and two reactions
// per key; with fifty order pages in flight those were most of the execution's extra CPU over the
// page built by hand (`npm run bench:execution`). Everything else is DataLoader's: `load` batches,
// caches and dedupes as before, and answers the keys `loadAll` fetched (or is fetching) from here.
// `loadAll` batches like DataLoader: the keys asked in one tick go out together, at most
// maxBatchSize per call, once the tick's promise jobs have run.
import DataLoader from 'dataloader';

/** The keys `loadAll` collected in one tick, fetched together. */
interface Round {
  readonly keys: string[];
  /** Settles once every batch of the round is answered and kept. */
  readonly done: Promise<void>;
}

export interface BatchLoaderOptions {
  /** Most keys per call of the batch function (the provider's max batch size). */
  readonly maxBatchSize: number;
  /** DataLoader's name, for traces. */
  readonly name: string;
}

/** Every value but undefined, which `peek` answers for "not loaded". */
export type Loadable = NonNullable<unknown> | null;

/**
 * DataLoader's cache map: its own promises, and the keys `loadAll` fetched or is fetching, turned
 * into a promise only when `load` asks for one of them.
 */
class LoaderCache<V> {
  readonly promises = new Map<string, Promise<V>>();
  /** Loaded values (undefined is never one, so `get` needs no `has`). */
  readonly values = new Map<string, V>();
  /** Keys the provider answered with an error of their own. */
  readonly errors = new Map<string, Error>();
  readonly inFlight = new Map<string, Round>();

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
    const round = this.inFlight.get(key);
    if (round === undefined) return undefined;
    return round.done.then(() => {
      const loaded = this.values.get(key);
      if (loaded !== undefined) return loaded;
      throw this.errors.get(key) ?? new Error('batch loader: no answer for a key');
    });
  }

  set(key: string, promise: Promise<V>): void {
    this.promises.set(key, promise);
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

/** DataLoader's own schedule: after the current promise jobs, in the next tick. */
const afterPromiseJobs = (run: () => void): void => void Promise.resolve().then(() => process.nextTick(run));

export class BatchLoader<V extends Loadable> extends DataLoader<string, V> {
  readonly #cache: LoaderCache<V>;
  readonly #load: (keys: readonly string[]) => PromiseLike<ArrayLike<V | Error>>;
  readonly #maxBatchSize: number;
  #round: Round | undefined;

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

  /**
   * Loads every key not loaded or loading yet; resolves once all of them are settled, and never
   * rejects (a key's error is kept for `load` to answer). Keys already on their way are waited for,
   * not fetched again: an earlier round, or DataLoader's own promise (whose value is then kept too).
   */
  async loadAll(keys: readonly string[]): Promise<void> {
    const cache = this.#cache;
    const waits = new Set<Promise<unknown>>();
    for (const key of keys) {
      if (cache.values.has(key) || cache.errors.has(key)) continue;
      const round = cache.inFlight.get(key);
      if (round !== undefined) {
        waits.add(round.done);
        continue;
      }
      const promise = cache.promises.get(key);
      if (promise !== undefined) {
        // Kept only while it is still the key's promise (a clear and a new load replace it).
        const keep = (value: V): void => void (cache.promises.get(key) === promise && cache.values.set(key, value));
        waits.add(promise.then(keep, () => undefined));
        continue;
      }
      const open = (this.#round ??= this.#openRound());
      open.keys.push(key);
      cache.inFlight.set(key, open);
      waits.add(open.done);
    }
    await Promise.all(waits);
  }

  #openRound(): Round {
    let settle: () => void = () => undefined;
    const round: Round = { keys: [], done: new Promise<void>((resolve) => (settle = resolve)) };
    afterPromiseJobs(() => {
      this.#round = undefined;
      void this.#dispatch(round).then(settle);
    });
    return round;
  }

  async #dispatch(round: Round): Promise<void> {
    const batches: Promise<void>[] = [];
    for (let start = 0; start < round.keys.length; start += this.#maxBatchSize) {
      const chunk = round.keys.slice(start, start + this.#maxBatchSize);
      batches.push(this.#fetch(chunk).then((answers) => this.#keep(round, chunk, answers)));
    }
    await Promise.all(batches);
  }

  /** Keeps a batch's answers; a key cleared while in flight (DataLoader's clear) is not brought back. */
  #keep(round: Round, chunk: readonly string[], answers: readonly (V | Error)[] | Error): void {
    const cache = this.#cache;
    for (let index = 0; index < chunk.length; index += 1) {
      const key = chunk[index] ?? '';
      if (cache.inFlight.get(key) !== round) continue;
      cache.inFlight.delete(key);
      // A whole batch that failed is kept for the request like a key's own error, where DataLoader
      // forgets it: the fields below a lookahead load their keys only after the round, and they are
      // the loads it stood for. A provider that failed (after its client's retries) is not asked
      // again for the same keys within the request.
      if (answers instanceof Error) {
        cache.errors.set(key, answers);
        continue;
      }
      const answer = answers[index];
      // A batch function must answer every key; undefined is not a value here (peek's "not loaded").
      if (answer === undefined) cache.errors.set(key, new TypeError(`${this.name ?? 'batch loader'}: no value for a key`));
      else if (answer instanceof Error) cache.errors.set(key, answer);
      else cache.values.set(key, answer);
    }
  }

  /** One call of the batch function: its answers, or the Error that fails every key of it. */
  async #fetch(chunk: readonly string[]): Promise<readonly (V | Error)[] | Error> {
    try {
      const values = await this.#load(chunk);
      if (values.length !== chunk.length) {
        return new TypeError(`${this.name ?? 'batch loader'}: the batch function answered ${values.length} values for ${chunk.length} keys`);
      }
      return Array.from(values);
    } catch (error) {
      return asError(error);
    }
  }
}
