// A body read no further than a byte cap: past it the stream is cancelled (closing the connection)
// and nothing is returned, so a sender cannot make us buffer more than we asked for. Shared by the
// JWKS fetch (remote-key-set.ts) and the provider webhooks (plugins/provider-events/read-bounded-body.ts).

/** The stream's bytes, or undefined when it holds more than `maxBytes`. */
export async function readWithin(body: ReadableStream<Uint8Array> | null | undefined, maxBytes: number): Promise<Uint8Array | undefined> {
  if (body === null || body === undefined) return new Uint8Array(0);
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      return undefined;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, size);
}
