// The request line is written without pino's serialiser (logger.ts, infoLineWriter): it must stay
// the line pino writes for the same fields, so that log pipelines see one format.
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLoggers } from '../../src/observability/logger';
import { createScrubber } from '../../src/observability/redact';

function capture(): { sink: Writable; lines: string[] } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { sink, lines };
}

const fields = {
  requestId: 'r-1',
  operation: 'OrderPage',
  operationType: undefined,
  clientName: 'web "beta"\n\u2028',
  status: 200,
  durationMs: 12.34,
  errors: ['RATE_LIMITED', 'UPSTREAM_TIMEOUT'],
  cost: undefined,
  cache: 'hit',
  cacheEarly: true,
  upstreamCalls: 0,
};

describe('the request line', () => {
  it.each<Record<string, string>>([{}, { service: 'bff', instance: 'a"1' }])('is the line pino writes for the same fields (base %j)', async (base) => {
    const { sink, lines } = capture();
    const loggers = createLoggers({ level: 'info', scrubber: createScrubber({}), destination: sink, base });
    loggers.lines.info(fields, 'graphql request');
    loggers.requestLine(fields, 'graphql request');
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines).toHaveLength(2);
    const [viaPino, viaWriter] = lines.map((line) => {
      expect(line.endsWith('}\n')).toBe(true);
      return JSON.parse(line) as Record<string, unknown>;
    });
    expect(typeof viaWriter?.time).toBe('number');
    // Same keys in the same order, same values (time aside).
    expect(Object.entries({ ...viaWriter, time: 0 })).toEqual(Object.entries({ ...viaPino, time: 0 }));
    expect(viaWriter).not.toHaveProperty('operationType');
  });

  it('is a well-formed line when every field is undefined', async () => {
    const { sink, lines } = capture();
    createLoggers({ level: 'info', scrubber: createScrubber({}), destination: sink }).requestLine({ requestId: undefined }, 'graphql request');
    await new Promise((resolve) => setImmediate(resolve));
    expect(Object.keys(JSON.parse(lines[0] ?? '') as object)).toEqual(['level', 'time', 'msg']);
  });
});
