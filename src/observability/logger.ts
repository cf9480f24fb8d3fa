// createLogger: the gateway's pino loggers, JSON lines, one destination.
// `logger` (for everyone) redacts secret keys and scrubs errors and messages; `lines` writes the
// per-request and per-attempt lines that telemetry builds itself from allow-listed fields, so the
// hot path skips redaction it cannot need.
import { createRequire } from 'node:module';
import pino, { type DestinationStream, type Logger, type LoggerOptions as PinoOptions } from 'pino';
import type { LogLevel } from '../config';
import type { Scrubber } from './redact';

export type { DestinationStream, Logger } from 'pino';

export interface LoggerOptions {
  /** @default 'info' */
  readonly level?: LogLevel;
  /**
   * Where lines go. Tests pass a stream to capture them.
   * @default stdout: buffered when `buffered` is set and `pretty` is not, else a write per line
   */
  readonly destination?: DestinationStream;
  /** Human-readable output through pino-pretty when it is installed; JSON otherwise. @default false */
  readonly pretty?: boolean;
  /** Buffered stdout (4 KB, flushed at least every second) costs less per line; off in tests and development so lines appear at once. @default false */
  readonly buffered?: boolean;
  /** Fields on every line. @default {} */
  readonly base?: Record<string, string>;
  readonly scrubber: Scrubber;
}

export interface GatewayLoggers {
  /** The general logger: redacted and scrubbed. Pass it to anything that logs. */
  readonly logger: Logger;
  /** Telemetry's own structured lines (no redaction pass: every field is built by telemetry). */
  readonly lines: Logger;
  /** The per-request line at info, the same JSON as `lines.info(fields, msg)`; check `lines.isLevelEnabled('info')` first. */
  readonly requestLine: (fields: Readonly<Record<string, unknown>>, msg: string) => void;
  /** Writes what the buffered destination still holds (call on shutdown). */
  flush(): void;
}

// pino-pretty is a devDependency: loaded only when asked for, and only if it is there.
function prettyStream(): DestinationStream | undefined {
  try {
    const load = createRequire(import.meta.url);
    const pretty = load('pino-pretty') as (options: Record<string, unknown>) => DestinationStream;
    return pretty({ colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,service' });
  } catch {
    return undefined;
  }
}

/** Flush interval of a buffered destination: the longest a line waits when traffic is low. */
export const BUFFERED_FLUSH_MS = 1000;

/**
 * Where JSON lines go (stdout unless `dest` names a file). Buffered lines are written synchronously,
 * 4 KB at a time: sonic-boom's async mode re-measures its whole pending chunk on every line while a
 * write is in flight (Buffer.byteLength of a growing string), 7.1 µs a line against 4.2 µs here (a
 * 200k-line micro-measure; 7% of a cached hit's CPU). The trade: a write to a stuck stdout pipe
 * blocks the loop instead of piling up in memory. The periodic flush bounds how long a line waits.
 */
export function lineDestination(buffered: boolean, dest: number | string = 1): ReturnType<typeof pino.destination> {
  return pino.destination({ dest, sync: true, ...(buffered ? { minLength: 4096, periodicFlush: BUFFERED_FLUSH_MS } : {}) });
}

/**
 * Writes `{"level":"info","time":…,…base,…fields,"msg":…}`, the line pino writes for
 * `lines.info(fields, msg)`, with one JSON.stringify of the fields. It is written once per request;
 * pino walks the fields key by key with its own string escaping: 1.47 µs against 0.75 µs for this
 * line (test/bench/log-line.ts, 200k lines), about 1 % of a cached hit's CPU. Undefined fields are
 * left out, as pino does; test/unit/logger-request-line.test.ts holds the two lines equal.
 */
export function infoLineWriter(destination: DestinationStream, base: Readonly<Record<string, string>>): GatewayLoggers['requestLine'] {
  const baseJson = JSON.stringify(base).slice(1, -1);
  const afterTime = baseJson === '' ? '' : `,${baseJson}`;
  return (fields, msg) => {
    const json = JSON.stringify(fields);
    const inner = json.length > 2 ? `,${json.slice(1, -1)}` : '';
    destination.write(`{"level":"info","time":${Date.now()}${afterTime}${inner},"msg":${JSON.stringify(msg)}}\n`);
  };
}

export function createLoggers(options: LoggerOptions): GatewayLoggers {
  const { scrubber } = options;
  const destination =
    options.destination ??
    (options.pretty ? prettyStream() : undefined) ??
    lineDestination(options.buffered === true);

  const common: PinoOptions = {
    level: options.level ?? 'info',
    base: options.base ?? {},
    // Epoch milliseconds (pino's default): an ISO string costs ~1.5 µs a line on the hot path.
    formatters: { level: (label) => ({ level: label }) },
  };
  const scrubbed = (value: unknown): unknown => scrubber.value(value);
  const logger = pino(
    {
      ...common,
      redact: { paths: [...scrubber.redactPaths], censor: '[REDACTED]' },
      serializers: { err: scrubbed, error: scrubbed, cause: scrubbed, meta: scrubbed, headers: scrubbed },
      hooks: {
        // Messages built by callers may interpolate anything: scrub them too.
        logMethod(args, method) {
          const scrubbedArgs = args.map((arg) => (typeof arg === 'string' ? scrubber.text(arg) : arg));
          method.apply(this, scrubbedArgs as Parameters<typeof method>);
        },
      },
    },
    destination,
  );
  const lines = pino(common, destination);
  const requestLine = infoLineWriter(destination, options.base ?? {});
  const flushable = destination as DestinationStream & { flushSync?: () => void };
  return {
    logger,
    lines,
    requestLine,
    flush() {
      try {
        flushable.flushSync?.();
      } catch {
        // a destination that is not ready (or already closed) has nothing we could still write
      }
    },
  };
}
