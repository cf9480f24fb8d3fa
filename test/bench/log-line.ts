// Micro-measure of the per-request log line: pino's `lines.info(fields, msg)` against the
// JSON.stringify writer that ships (src/observability/logger.ts, infoLineWriter), both into a
// destination that only counts bytes. `npx tsx test/bench/log-line.ts` (prints µs per line).
import { performance } from 'node:perf_hooks';
import { createLoggers, type DestinationStream } from '../../src/observability/logger';
import { createScrubber } from '../../src/observability/redact';

const LINES = 200_000;
let bytes = 0;
// pino writes to a DestinationStream synchronously; a bare object with write() is one.
const destination: DestinationStream = { write: (line: string) => void (bytes += line.length) };
const loggers = createLoggers({ level: 'info', scrubber: createScrubber({}), destination, base: { service: 'bff' } });

function fieldsOf(i: number): Record<string, unknown> {
  return {
    requestId: `01J${i.toString(36).padStart(10, '0')}`,
    operation: 'Catalogue',
    operationType: 'query',
    persistedHash: 'sha256:4b1ad2c9b1c5f0e7',
    clientName: undefined,
    clientVersion: undefined,
    caller: 'c_9f8e7d6c',
    status: 200,
    outcome: 'success',
    durationMs: 0.42,
    errors: undefined,
    cost: 21,
    cache: 'hit',
    cacheEarly: 'node',
    upstreamCalls: 0,
    upstreamAttempts: 0,
    upstreamRetries: 0,
  };
}

function measure(name: string, write: (fields: Record<string, unknown>) => void): void {
  for (let i = 0; i < 20_000; i++) write(fieldsOf(i)); // warm-up
  bytes = 0;
  const started = performance.now();
  for (let i = 0; i < LINES; i++) write(fieldsOf(i));
  const us = ((performance.now() - started) * 1000) / LINES;
  console.log(`${name.padEnd(22)} ${us.toFixed(2)} µs/line  (${(bytes / LINES).toFixed(0)} bytes/line)`);
}

for (let round = 0; round < 3; round++) {
  measure('pino lines.info', (fields) => loggers.lines.info(fields, 'graphql request'));
  measure('requestLine (ships)', (fields) => loggers.requestLine(fields, 'graphql request'));
}
