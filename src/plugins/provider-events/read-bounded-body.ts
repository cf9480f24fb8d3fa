// A request body read with a cap: a declared Content-Length over it is refused before a byte is
// read, and a body that streams past it (chunked, or lying about its length) is cut off there.
// The webhook's signature is over these exact bytes, so nothing parses them before it is checked.

/** undefined when the body is larger than `maxBytes`. */
export async function readBoundedBody(request: Request, maxBytes: number): Promise<Uint8Array | undefined> {
  const declared = request.headers.get('content-length');
  if (declared !== null && (!/^[0-9]{1,15}$/.test(declared) || Number(declared) > maxBytes)) return undefined;
  if (request.body === null) return new Uint8Array(0);
  const reader = request.body.getReader();
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
