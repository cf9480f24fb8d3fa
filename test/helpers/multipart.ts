// Reads a `multipart/mixed` GraphQL answer part by part, as the bytes arrive (no buffering of the
// whole body), so a test can act between the first part and the rest.

export interface IncrementalPart {
  data?: Record<string, unknown> | null;
  errors?: { message: string; path?: (string | number)[]; extensions: Record<string, unknown> }[];
  incremental?: { data?: Record<string, unknown>; items?: unknown[]; path: (string | number)[]; label?: string; errors?: IncrementalPart['errors'] }[];
  hasNext?: boolean;
}

function boundaryOf(contentType: string | null): string {
  const match = /boundary="?([^";]+)"?/.exec(contentType ?? '');
  if (!match?.[1]) throw new Error(`not a multipart answer: ${contentType}`);
  return match[1];
}

/** The JSON parts of a multipart/mixed response, yielded as soon as each is complete. */
export async function* multipartParts(response: Response): AsyncGenerator<IncrementalPart> {
  const delimiter = `\r\n--${boundaryOf(response.headers.get('content-type'))}`;
  const reader = response.body?.getReader();
  if (reader === undefined) throw new Error('no body');
  const decoder = new TextDecoder();
  let buffered = '';
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (value) buffered += decoder.decode(value, { stream: true });
      // A part is complete once the next delimiter has arrived.
      for (let start = buffered.indexOf(delimiter); start >= 0; start = buffered.indexOf(delimiter)) {
        const next = buffered.indexOf(delimiter, start + delimiter.length);
        if (next < 0) break;
        const part = buffered.slice(start + delimiter.length, next);
        buffered = buffered.slice(next);
        const body = part.slice(part.indexOf('\r\n\r\n') + 4);
        if (body.trim() !== '') yield JSON.parse(body) as IncrementalPart;
      }
      if (done) return;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}

/** Every part, then the data they merge to (paths of `incremental` entries applied in order). */
export async function readIncremental(response: Response): Promise<{ parts: IncrementalPart[]; merged: IncrementalPart }> {
  const parts: IncrementalPart[] = [];
  for await (const part of multipartParts(response)) parts.push(part);
  return { parts, merged: mergeParts(parts) };
}

function at(root: unknown, path: readonly (string | number)[]): unknown {
  let current = root;
  for (const key of path) current = (current as Record<string | number, unknown>)[key];
  return current;
}

/** The parts merged into one result: what a client shows once the stream has ended. */
export function mergeParts(parts: readonly IncrementalPart[]): IncrementalPart {
  const [first, ...rest] = parts;
  const merged: IncrementalPart = structuredClone({ data: first?.data ?? null, ...(first?.errors ? { errors: first.errors } : {}) });
  for (const part of rest) {
    for (const entry of part.incremental ?? []) {
      if (entry.data) Object.assign(at(merged.data, entry.path) as object, entry.data);
      if (entry.items) {
        const list = at(merged.data, entry.path.slice(0, -1)) as unknown[];
        list.splice(Number(entry.path.at(-1)), entry.items.length, ...entry.items);
      }
      if (entry.errors) merged.errors = [...(merged.errors ?? []), ...entry.errors];
    }
  }
  return merged;
}
