// The gateway's JSON log lines captured in memory: pass `stream` as the telemetry's log destination.
export type LogLine = Record<string, unknown> & { msg: string };

export interface LogCapture {
  readonly stream: { write(chunk: string): void };
  /** Every line so far, as written. */
  raw(): readonly string[];
  /** Every line so far, parsed. */
  lines(): LogLine[];
  /** The per-request lines (`graphql request`). */
  requestLines(): LogLine[];
  clear(): void;
}

export function captureLog(): LogCapture {
  const raw: string[] = [];
  const lines = () => raw.map((l) => JSON.parse(l) as LogLine);
  return {
    stream: { write: (chunk: string) => void raw.push(...chunk.split('\n').filter(Boolean)) },
    raw: () => raw,
    lines,
    requestLines: () => lines().filter((l) => l.msg === 'graphql request'),
    clear: () => void raw.splice(0),
  };
}
