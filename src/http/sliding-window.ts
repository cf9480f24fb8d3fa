// Counts of recent outcomes over a sliding time window, shared by the circuit breaker and the
// retry budget so both forget old traffic the same way. Time is cut into `buckets` equal slices
// aligned on multiples of the slice length: memory stays O(buckets × kinds) whatever the rate,
// at the price of the window's far edge moving in steps of one slice rather than per call.
import type { Clock } from './clock';

export interface SlidingWindow<K extends string> {
  /** Adds one outcome of `kind` to the current bucket. */
  record(kind: K): void;
  /** Per-kind totals over the buckets still inside the window. */
  counts(): Readonly<Record<K, number>>;
  /** Forgets every bucket (the breaker starts afresh when it closes). */
  reset(): void;
}

export interface SlidingWindowOptions {
  /** Length of the window; each bucket covers `windowMs / buckets`. */
  readonly windowMs: number;
  /** @default 10 */
  readonly buckets?: number;
}

export function createSlidingWindow<K extends string>(
  kinds: readonly K[],
  options: SlidingWindowOptions,
  clock: Clock,
): SlidingWindow<K> {
  const buckets = Math.max(1, Math.floor(options.buckets ?? 10));
  // At least 1 ms so a zero or tiny window cannot make the bucket index infinite.
  const bucketMs = Math.max(1, options.windowMs / buckets);
  const rows = new Map<K, number[]>(kinds.map((kind) => [kind, new Array<number>(buckets).fill(0)]));
  let current = Math.floor(clock.now() / bucketMs);

  // Empties the buckets that left the window since the last call and returns the current one.
  // A clock that steps back (wall time) leaves everything in place: outcomes keep landing in the
  // newest bucket until time passes it again, rather than being dropped or overwriting others.
  const rotate = (): number => {
    const bucket = Math.floor(clock.now() / bucketMs);
    const gap = Math.min(buckets, bucket - current);
    for (let i = 1; i <= gap; i++) {
      const index = (current + i) % buckets;
      for (const row of rows.values()) row[index] = 0;
    }
    if (bucket > current) current = bucket;
    return current % buckets;
  };

  return {
    record(kind) {
      const index = rotate();
      const row = rows.get(kind);
      if (row !== undefined) row[index] = (row[index] ?? 0) + 1;
    },
    counts() {
      rotate();
      const totals = {} as Record<K, number>;
      for (const [kind, row] of rows) totals[kind] = row.reduce((a, b) => a + b, 0);
      return totals;
    },
    reset() {
      for (const row of rows.values()) row.fill(0);
    },
  };
}
