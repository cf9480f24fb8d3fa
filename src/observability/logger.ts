// createLogger: the gateway's pino loggers, JSON lines, one destination.
// `logger` (for everyone) redacts secret keys and scrubs errors and messages; `lines` writes the
// per-request and per-attempt lines that telemetry builds itself from allow-listed fields, so the
// hot path skips redaction it cannot need.
import { createRequire } from 'node:module';
import pino, { type DestinationStream, type Logger, type LoggerOptions as PinoOptions } from 'pino';
import type { LogLevel } from '../config';
import type { Scrubber } from './redact';

export type { Logger } from 'pino';

export interface LoggerOptions {
  /** @default 'info' */
  readonly level?: LogLevel;
  /**
   * Where lines go. Tests pass a stream to capture them.
   * @default stdout: buffered (async) when `pretty` is false and `sync` is false, else synchronous
   */
  readonly destination?: DestinationStream;
  /** Human-readable output through pino-pretty when it is installed; JSON otherwise. @default false */
  readonly pretty?: boolean;
  /** Buffered stdout costs less per line; off in tests and development so lines are never lost. @default false */
  readonly async?: boolean;
  /** Fields on every line. @default {} */
  readonly base?: Record<string, string>;
  readonly scrubber: Scrubber;
}

export interface GatewayLoggers {
  /** The general logger: redacted and scrubbed. Pass it to anything that logs. */
  readonly logger: Logger;
  /** Telemetry's own structured lines (no redaction pass: every field is built by telemetry). */
  readonly lines: Logger;
  /** Writes what the async destination still holds (call on shutdown). */
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

export function createLoggers(options: LoggerOptions): GatewayLoggers {
  const { scrubber } = options;
  const destination =
    options.destination ??
    (options.pretty ? prettyStream() : undefined) ??
    pino.destination({ dest: 1, sync: options.async !== true, minLength: options.async === true ? 4096 : 0 });

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
  const flushable = destination as DestinationStream & { flushSync?: () => void };
  return {
    logger,
    lines,
    flush() {
      try {
        flushable.flushSync?.();
      } catch {
        // a destination that is not ready (or already closed) has nothing we could still write
      }
    },
  };
}
