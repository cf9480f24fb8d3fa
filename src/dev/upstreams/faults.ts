// Fault switches for the simulated providers: what can go wrong, when, and for which requests.
// Scripted like undici's tests: `fault({ kind: 'status', status: 502 }, { times: 1 })`, then
// the next matching request succeeds.
import { createRandom, type Random } from './prng';

export type Fault =
  /** Never answers; the socket is destroyed when the provider closes. */
  | { readonly kind: 'hang' }
  /** Answers this status; `body` defaults to the provider's error shape. */
  | { readonly kind: 'status'; readonly status: number; readonly body?: unknown }
  /** 429 with `Retry-After` (delta-seconds or an HTTP-date, sent verbatim). */
  | { readonly kind: 'rate-limit'; readonly retryAfter: string }
  /** Destroys the socket without answering. */
  | { readonly kind: 'reset' }
  /** 200 with valid JSON that breaks the provider's contract (wrong types). */
  | { readonly kind: 'malformed' }
  /**
   * The real answer, reshaped before it is sent: a provider's contract drift (a renamed field, a
   * re-typed value, a new enum value), for `npm run providers:check` and its tests.
   */
  | { readonly kind: 'drift'; readonly reshape: (body: unknown) => unknown }
  /** 200 with a truncated JSON body. */
  | { readonly kind: 'invalid-json' }
  /** Runs the request (a write happens), then answers `status` instead of the real answer. */
  | { readonly kind: 'commit-then-fail'; readonly status?: number }
  /**
   * Holds the real answer until `until` settles (a test's deferred gate, never a timer): orders what a
   * client sees around a slow provider. A request whose caller goes away first is never answered and
   * is counted as abandoned (`abandoned()`, `waitForAbandoned()`).
   */
  | {
      readonly kind: 'hold';
      readonly until: Promise<unknown>;
      /** Reads the data when the request arrives and sends that answer at release (a reply in flight while the data change). @default false (read at release) */
      readonly readFirst?: boolean;
    }
  /** Extra latency for matched requests; does not stop later faults from applying too. */
  | { readonly kind: 'latency'; readonly ms: number };

export interface RequestMatch {
  /** Exact method, e.g. `POST`. */
  readonly method?: string;
  /** Exact path, or a prefix when it ends with `*` (e.g. `/orders/*`). */
  readonly path?: string;
}

export interface FaultOptions {
  /**
   * How many times the fault applies before it is consumed.
   * @default Infinity (until `clearFaults()` or the switch's `clear()`)
   */
  readonly times?: number;
  /**
   * Apply only to every Nth matching request that reaches this fault (N, 2N, …).
   * @default 1
   */
  readonly every?: number;
  /**
   * Probability (0..1) that a matching request is hit, drawn from a seeded PRNG per fault,
   * so a run is deterministic.
   * @default 1
   */
  readonly ratio?: number;
  /** Seed of this fault's PRNG (only used with `ratio`). @default 0x5eed */
  readonly seed?: number;
  /** Which requests the fault applies to. @default every request */
  readonly match?: RequestMatch;
}

/** What `fault()` returns: how often it applied, and a way to remove just this fault. */
export interface FaultSwitch {
  readonly applied: number;
  clear(): void;
}

interface ActiveFault {
  readonly fault: Fault;
  readonly options: FaultOptions;
  readonly random: Random;
  remaining: number;
  seen: number;
  applied: number;
}

/** The decision for one request: extra latency plus at most one terminal fault. */
export interface FaultDecision {
  readonly extraLatencyMs: number;
  readonly fault: Exclude<Fault, { kind: 'latency' }> | undefined;
}

const NO_FAULT: FaultDecision = { extraLatencyMs: 0, fault: undefined };

export function matchesRequest(match: RequestMatch | undefined, method: string, path: string): boolean {
  if (!match) return true;
  if (match.method !== undefined && match.method.toUpperCase() !== method) return false;
  if (match.path === undefined) return true;
  return match.path.endsWith('*') ? path.startsWith(match.path.slice(0, -1)) : path === match.path;
}

/** Ordered fault list of one provider. Walked in the order faults were added. */
export function createFaultList() {
  let active: ActiveFault[] = [];

  function hits(entry: ActiveFault, method: string, path: string): boolean {
    if (!matchesRequest(entry.options.match, method, path)) return false;
    entry.seen += 1;
    if (entry.seen % (entry.options.every ?? 1) !== 0) return false;
    const ratio = entry.options.ratio ?? 1;
    return ratio >= 1 || entry.random() < ratio;
  }

  return {
    add(fault: Fault, options: FaultOptions = {}): FaultSwitch {
      const entry: ActiveFault = {
        fault,
        options,
        random: createRandom(options.seed ?? 0x5eed),
        remaining: options.times ?? Number.POSITIVE_INFINITY,
        seen: 0,
        applied: 0,
      };
      if (entry.remaining > 0) active.push(entry);
      return {
        get applied() {
          return entry.applied;
        },
        clear: () => {
          active = active.filter((candidate) => candidate !== entry);
        },
      };
    },
    clear(): void {
      active = [];
    },
    /** Decides (and consumes) the faults for one request. */
    decide(method: string, path: string): FaultDecision {
      if (active.length === 0) return NO_FAULT;
      let extraLatencyMs = 0;
      for (const entry of [...active]) {
        if (!hits(entry, method, path)) continue;
        entry.applied += 1;
        entry.remaining -= 1;
        if (entry.remaining <= 0) active = active.filter((candidate) => candidate !== entry);
        if (entry.fault.kind === 'latency') {
          extraLatencyMs += entry.fault.ms;
          continue;
        }
        return { extraLatencyMs, fault: entry.fault };
      }
      return { extraLatencyMs, fault: undefined };
    },
  };
}

export type FaultList = ReturnType<typeof createFaultList>;
