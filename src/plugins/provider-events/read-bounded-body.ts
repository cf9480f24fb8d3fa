// A request body read with a cap: a declared Content-Length over it is refused before a byte is
// read, and a body that streams past it (chunked, or lying about its length) is cut off there.
// The webhook's signature is over these exact bytes, so nothing parses them before it is checked.
import { readWithin } from '../../auth/read-within';

/** undefined when the body is larger than `maxBytes`. */
export async function readBoundedBody(request: Request, maxBytes: number): Promise<Uint8Array | undefined> {
  const declared = request.headers.get('content-length');
  if (declared !== null && (!/^[0-9]{1,15}$/.test(declared) || Number(declared) > maxBytes)) return undefined;
  return readWithin(request.body, maxBytes);
}
